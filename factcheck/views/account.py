"""The logged-in person's own account: changing their password.

Django's ``PasswordChangeView`` saves the user itself, without an audit event; this
view keeps its form (old password, two new ones, the validators) but lets
``people.change_password`` write, so the change and its ``user.password_set``
event commit together. The session's auth hash is refreshed afterwards, so the
person stays logged in here while their other sessions end.
"""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import people
from .common import perform

FORM = "registration/password_change_form.html"


# Any logged-in person may change their own password (LoginRequiredMiddleware
# keeps anonymous visitors out), whatever their role: no permission to check.
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            lambda: people.change_password(
                request.user,
                actor=request.user,
                password=form.cleaned_data["new_password1"],
            ),
            success="Your password was changed.",
        )
        if outcome.ok:
            update_session_auth_hash(request, outcome.result)
            return redirect("password_change_done")
        form.add_error(None, outcome.message)
    status = 400 if form.is_bound else 200
    return render(request, FORM, {"form": form}, status=status)
