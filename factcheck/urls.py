"""Every route of the desk, grouped by screen; names are ``<noun>-<action>``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .views import dashboard, health

urlpatterns = [
    # --- Dashboard and health ------------------------------------------------------
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    # --- Authentication ------------------------------------------------------------
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # --- Articles and claim editing (ingestion) -------------------------------------
    # --- Queue and claim workspace -------------------------------------------------
    # --- Approvals and audit ---------------------------------------------------------
    # --- Publishing and readers' error reports --------------------------------------
    # --- Public pages ----------------------------------------------------------------
    # --- Team and verdict scale -----------------------------------------------------
    # --- Emergency admin (superusers only) -----------------------------------------
    path("django-admin/", admin.site.urls),
]
