"""Every route of the desk, grouped by screen; names are ``<noun>-<action>``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .api import urls as api_urls
from .views import account as account_views
from .views import approvals as approval_views
from .views import articles as article_views
from .views import audit as audit_views
from .views import claims as claim_views
from .views import dashboard, health
from .views import evidence as evidence_views
from .views import lookups as lookup_views
from .views import organisation as organisation_views
from .views import public as public_views
from .views import publishing as publishing_views
from .views import queue as queue_views
from .views import reports as report_views
from .views import revisions as revision_views
from .views import search as search_views
from .views import team as team_views
from .views import tokens as token_views
from .views import two_factor as two_factor_views
from .views import webhooks as webhook_views

# JSON under /api/ (the API's error shape), the desk's 404 page everywhere else.
handler404 = "factcheck.api_errors.page_not_found"

urlpatterns = [
    # --- Dashboard and health ------------------------------------------------------
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    # --- Desk search (articles and claims, any status) ------------------------------
    path("search/", search_views.search, name="search"),
    # Suggestions for the search-as-you-type filters (queue, audit log).
    path("lookup/articles/", lookup_views.lookup_articles, name="lookup-articles"),
    path("lookup/people/", lookup_views.lookup_people, name="lookup-people"),
    # --- Authentication ------------------------------------------------------------
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        account_views.password_change,
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Two-factor sign-in: the code page after the password, and one's own settings.
    path(
        "login/two-factor/",
        two_factor_views.two_factor_verify,
        name="two-factor-verify",
    ),
    path("account/two-factor/", two_factor_views.two_factor_status, name="two-factor"),
    path(
        "account/two-factor/setup/",
        two_factor_views.two_factor_setup,
        name="two-factor-setup",
    ),
    path(
        "account/two-factor/disable/",
        two_factor_views.two_factor_disable,
        name="two-factor-disable",
    ),
    path(
        "account/two-factor/recovery-codes/",
        two_factor_views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    # --- Articles and claim editing (ingestion) -------------------------------------
    path("articles/", article_views.article_list, name="article-list"),
    path("articles/new/", article_views.article_new, name="article-new"),
    path("articles/<int:pk>/", article_views.article_detail, name="article-detail"),
    # New versions of an article's text (re-anchored claims) and the versions.
    path(
        "articles/<int:pk>/revise/",
        revision_views.article_revise,
        name="article-revise",
    ),
    path(
        "articles/<int:pk>/revisions/",
        revision_views.article_revisions,
        name="article-revisions",
    ),
    path(
        "articles/<int:pk>/revisions/<int:n>/",
        revision_views.article_revision,
        name="article-revision",
    ),
    path(
        "claims/<int:pk>/confirm-text/",
        revision_views.claim_confirm_text,
        name="claim-confirm-text",
    ),
    path("articles/<int:pk>/claims/add/", article_views.claim_add, name="claim-add"),
    path("claims/<int:pk>/edit/", article_views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/split/", article_views.claim_split, name="claim-split"),
    path("claims/<int:pk>/merge/", article_views.claim_merge, name="claim-merge"),
    path("claims/<int:pk>/dismiss/", article_views.claim_dismiss, name="claim-dismiss"),
    path("claims/<int:pk>/restore/", article_views.claim_restore, name="claim-restore"),
    # --- Queue and claim workspace -------------------------------------------------
    path("queue/", queue_views.queue, name="queue"),
    path("queue/take-next/", queue_views.queue_take_next, name="queue-take-next"),
    path("queue/bulk/", queue_views.queue_bulk, name="queue-bulk"),
    path("claims/<int:pk>/", claim_views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/take/", claim_views.claim_take, name="claim-take"),
    path("claims/<int:pk>/release/", claim_views.claim_release, name="claim-release"),
    path("claims/<int:pk>/assign/", claim_views.claim_assign, name="claim-assign"),
    path("claims/<int:pk>/due/", claim_views.claim_due, name="claim-due"),
    path(
        "claims/<int:pk>/claimant/", claim_views.claim_claimant, name="claim-claimant"
    ),
    path("articles/<int:pk>/due/", claim_views.article_due, name="article-due"),
    path("claims/<int:pk>/sources/", claim_views.source_add, name="source-add"),
    path("matches/<int:pk>/answer/", claim_views.match_answer, name="match-answer"),
    path("sources/<int:pk>/remove/", claim_views.source_remove, name="source-remove"),
    path(
        "sources/<int:pk>/snapshot/",
        evidence_views.source_snapshot,
        name="source-snapshot",
    ),
    path("claims/<int:pk>/notes/", claim_views.note_add, name="note-add"),
    path("claims/<int:pk>/verdict/", claim_views.verdict_save, name="verdict-save"),
    path("claims/<int:pk>/submit/", claim_views.verdict_submit, name="verdict-submit"),
    path(
        "claims/<int:pk>/preview/",
        claim_views.verdict_preview,
        name="verdict-preview",
    ),
    path(
        "claims/<int:pk>/presence/",
        claim_views.claim_presence,
        name="claim-presence",
    ),
    # --- Approvals and audit ---------------------------------------------------------
    path("approvals/", approval_views.approval_list, name="approval-list"),
    path(
        "claims/<int:pk>/approve/", approval_views.claim_approve, name="claim-approve"
    ),
    path("claims/<int:pk>/return/", approval_views.claim_return, name="claim-return"),
    path("claims/<int:pk>/reopen/", approval_views.claim_reopen, name="claim-reopen"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
    # --- Publishing and readers' error reports --------------------------------------
    path(
        "articles/<int:pk>/publish/",
        publishing_views.article_publish,
        name="article-publish",
    ),
    path(
        "articles/<int:pk>/unpublish/",
        publishing_views.article_unpublish,
        name="article-unpublish",
    ),
    path(
        "articles/<int:pk>/preview/",
        publishing_views.article_preview,
        name="article-preview",
    ),
    path(
        "articles/<int:pk>/preview/claims/<int:n>/",
        publishing_views.article_preview_claim,
        name="article-preview-claim",
    ),
    path("reports/", report_views.report_list, name="report-list"),
    path("reports/<int:pk>/handle/", report_views.report_handle, name="report-handle"),
    # --- Public pages ----------------------------------------------------------------
    # Fixed names first, so no slug swallows them.
    path("fact-checks/", public_views.public_index, name="public-index"),
    path(
        "fact-checks/claimreview.json",
        public_views.public_claimreview_feed,
        name="public-claimreview-feed",
    ),
    path(
        "fact-checks/feed.atom", public_views.public_atom_feed, name="public-atom-feed"
    ),
    # Transparency pages: ratings, methodology, corrections, funding, team.
    path(
        "fact-checks/about/<slug:kind>/",
        public_views.public_about,
        name="public-about",
    ),
    path(
        "fact-checks/claimants/<slug:slug>/",
        public_views.public_claimant,
        name="public-claimant",
    ),
    path(
        "fact-checks/<slug:slug>/", public_views.public_summary, name="public-summary"
    ),
    path(
        "fact-checks/<slug:slug>/claims/<int:n>/",
        public_views.public_claim,
        name="public-claim",
    ),
    path(
        "fact-checks/<slug:slug>/claims/<int:n>/report/",
        public_views.public_claim_report,
        name="public-claim-report",
    ),
    path(
        "fact-checks/<slug:slug>/export.csv",
        public_views.public_export_csv,
        name="public-export-csv",
    ),
    path(
        "fact-checks/<slug:slug>/export.json",
        public_views.public_export_json,
        name="public-export-json",
    ),
    # --- Team and verdict scale -----------------------------------------------------
    path("team/", team_views.team, name="team"),
    path("team/new/", team_views.team_create, name="team-create"),
    path("team/invite/", team_views.team_invite, name="team-invite"),
    path(
        "team/service-accounts/new/",
        team_views.service_account_create,
        name="service-account-create",
    ),
    path("team/<int:pk>/role/", team_views.team_role, name="team-role"),
    path(
        "team/<int:pk>/deactivate/", team_views.team_deactivate, name="team-deactivate"
    ),
    path(
        "team/<int:pk>/reactivate/", team_views.team_reactivate, name="team-reactivate"
    ),
    path(
        "team/<int:pk>/reset-password/",
        team_views.team_reset_password,
        name="team-reset-password",
    ),
    path(
        "team/two-factor/",
        two_factor_views.two_factor_policy,
        name="two-factor-policy",
    ),
    path(
        "team/organisation/",
        organisation_views.organisation_edit,
        name="organisation-edit",
    ),
    path(
        "team/organisation/<slug:kind>/",
        organisation_views.public_page_edit,
        name="public-page-edit",
    ),
    path("team/ratings/", team_views.rating_list, name="rating-list"),
    path("team/ratings/new/", team_views.rating_create, name="rating-create"),
    path("team/ratings/<int:pk>/", team_views.rating_edit, name="rating-edit"),
    path("ratings.css", team_views.rating_styles, name="rating-styles"),
    path(
        "invite/<uidb64>/<token>/",
        team_views.invitation_accept,
        name="invitation-accept",
    ),
    path("password/reset/", team_views.password_reset, name="password_reset"),
    path(
        "password/reset/sent/",
        team_views.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        team_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        team_views.password_reset_complete,
        name="password_reset_complete",
    ),
    # --- API tokens (admins) and the token-authenticated API -----------------------
    path("team/tokens/", token_views.token_list, name="token-list"),
    path("team/tokens/new/", token_views.token_create, name="token-create"),
    path(
        "team/tokens/<int:pk>/revoke/",
        token_views.token_revoke,
        name="token-revoke",
    ),
    # --- Webhooks (admins) -------------------------------------------------------
    path("team/webhooks/", webhook_views.webhook_list, name="webhook-list"),
    path("team/webhooks/new/", webhook_views.webhook_create, name="webhook-create"),
    path("team/webhooks/<int:pk>/", webhook_views.webhook_edit, name="webhook-edit"),
    path(
        "team/webhooks/<int:pk>/disable/",
        webhook_views.webhook_disable,
        name="webhook-disable",
    ),
    path(
        "team/webhooks/deliveries/<int:pk>/redeliver/",
        webhook_views.webhook_redeliver,
        name="webhook-redeliver",
    ),
    path("api/", api_urls),
    # --- Emergency admin (superusers only) -----------------------------------------
    path("django-admin/", admin.site.urls),
]
