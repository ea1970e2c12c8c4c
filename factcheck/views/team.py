"""The team screen (admins), the verdict scale editor, and the one-time password links.

Every change is a ``people`` or ``workflow.scale`` call through ``perform()``. Row
actions on /team/ answer htmx with the updated row and plain posts with a redirect;
the create and invite forms re-render the page with the typed values on error. The
invitation and password-reset pages are open to anonymous visitors: the one-time
token in the link is the authority, checked again in ``people.accept_invitation``.
"""

from __future__ import annotations

import hashlib

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import (
    condition,
    require_GET,
    require_http_methods,
    require_POST,
)

from .. import mail, people, ratingstyles, throttle, workflow
from ..forms.team import (
    CreateUserForm,
    InvitationPasswordForm,
    InviteForm,
    RatingForm,
    RoleForm,
    ServiceAccountForm,
)
from ..models import Rating, User
from ..roles import roles_of
from .common import perform, respond

MANAGE = "factcheck.manage_users"
TEAM = "factcheck/team.html"
ROW = TEAM + "#team-row"


def _members():
    return User.objects.prefetch_related("groups").order_by("username")


def _decorate(member: User) -> User:
    """Presentation values for a row (no queries: groups are prefetched)."""
    member.role_key = people.role_set_key(roles_of(member))  # "" for no role
    member.role_label = people.ROLE_SETS.get(member.role_key, ("No role",))[0]
    member.invited = (
        not member.is_service_account
        and not member.has_usable_password()
        and member.last_login is None
    )
    return member


def _member(user: User, pk: int) -> User:
    if not user.has_perm(MANAGE):
        raise Http404("No such person.")
    try:
        return _decorate(_members().get(pk=int(pk)))
    except (User.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such person.") from None


def _team_page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        "members": [_decorate(m) for m in _members()],
        "role_choices": RoleForm.base_fields["role"].choices,
        "create_form": forms.get("create_form") or CreateUserForm(prefix="create"),
        "invite_form": forms.get("invite_form") or InviteForm(prefix="invite"),
        "service_form": forms.get("service_form")
        or ServiceAccountForm(prefix="service"),
    }
    return render(request, TEAM, context, status=status)


@require_GET
@permission_required(MANAGE, raise_exception=True)
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _submit_person_form(request: HttpRequest, form, key: str, call) -> HttpResponse:
    """Validate ``form``, run ``call(data)``; on failure re-render with the input."""
    if not form.is_valid():
        return _team_page(request, status=400, **{key: form})
    data = form.cleaned_data
    outcome = perform(lambda: call(data, form.roles()), success="")
    if not outcome.ok:
        form.add_error(None, outcome.message)
        return _team_page(request, status=outcome.status, **{key: form})
    return None


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_create(request: HttpRequest) -> HttpResponse:
    form = CreateUserForm(request.POST, prefix="create")
    failed = _submit_person_form(
        request,
        form,
        "create_form",
        lambda d, roles: people.create_user(
            actor=request.user,
            username=d["username"],
            email=d["email"],
            display_name=d["display_name"],
            roles=roles,
            password=d["password"],
        ),
    )
    if failed:
        return failed
    messages.success(request, f"Created {form.cleaned_data['username']}.")
    return redirect("team")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, prefix="invite")
    invited = []
    failed = _submit_person_form(
        request,
        form,
        "invite_form",
        lambda d, roles: invited.append(
            people.invite_user(
                actor=request.user,
                username=d["username"],
                email=d["email"],
                display_name=d["display_name"],
                roles=roles,
                request_base_url=_base_url(request),
            )
        ),
    )
    if failed:
        return failed
    [person] = invited
    messages.success(
        request,
        f"Invitation sent to {person.email}."
        if mail.delivers()
        else _hand_over(person, "invitation"),
    )
    return redirect("team")


def _hand_over(person: User, what: str) -> str:
    """The notice when this desk sends no email: the link, for the admin to pass on."""
    return (
        f"This desk sends no email, so nothing was sent: give {person} this one-time "
        f"{what} link yourself: {person.one_time_link}"
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def service_account_create(request: HttpRequest) -> HttpResponse:
    form = ServiceAccountForm(request.POST, prefix="service")
    failed = _submit_person_form(
        request,
        form,
        "service_form",
        lambda d, roles: people.create_service_account(
            actor=request.user, username=d["username"], roles=roles
        ),
    )
    if failed:
        return failed
    messages.success(
        request,
        f"Created the service account {form.cleaned_data['username']}: "
        "create an API token for it now.",
    )
    return redirect("token-list")


def _row_action(
    request: HttpRequest, pk: int, call, success: str, told=None
) -> HttpResponse:
    """Run ``call(member)``; ``told(result)``, when given and not None, replaces the
    success notice (what the admin must know about this result)."""
    member = _member(request.user, pk)
    outcome = perform(lambda: call(member), success=success.format(member=member))
    if outcome.ok and told is not None:
        outcome.message = told(outcome.result) or outcome.message
    return respond(
        request,
        outcome,
        redirect_to=reverse("team"),
        partial=ROW,
        context=lambda: {
            "member": _member(request.user, pk),
            "role_choices": RoleForm.base_fields["role"].choices,
        },
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_role(request: HttpRequest, pk: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _row_action(request, pk, _refuse("Choose a role."), "")
    roles, label = form.roles(), people.ROLE_SETS[form.cleaned_data["role"]][0]
    return _row_action(
        request,
        pk,
        lambda m: people.set_roles(m, actor=request.user, roles=roles),
        "{member}'s role is now " + label + ".",
    )


def _refuse(message: str):
    def call(_member):
        raise ValidationError(message)

    return call


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _row_action(
        request,
        pk,
        lambda m: people.deactivate_user(m, actor=request.user),
        "Deactivated {member}; their sessions have ended.",
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _row_action(
        request,
        pk,
        lambda m: people.reactivate_user(m, actor=request.user),
        "Reactivated {member}.",
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def team_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    return _row_action(
        request,
        pk,
        lambda m: people.send_password_reset(
            m, actor=request.user, request_base_url=_base_url(request)
        ),
        "Sent a password reset link to {member}.",
        told=lambda person: (
            None if mail.delivers() else _hand_over(person, "password reset")
        ),
    )


# --- Invitation and password reset -------------------------------------------------


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    if user.is_active and default_token_generator.check_token(user, token):
        return user
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_link(uidb64, token)
    if user is None:
        context = {"validlink": False}
        return render(
            request, "registration/invitation_accept.html", context, status=400
        )
    form = InvitationPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["new_password1"]
        outcome = perform(
            lambda: people.accept_invitation(user, password=password, token=token),
            success="Your password is set. Log in with it now.",
        )
        if outcome.ok:
            messages.success(request, outcome.message)
            return redirect("login")
        form.add_error(None, outcome.message)
    context = {"validlink": True, "form": form, "invited": user}
    status = 400 if form.is_bound else 200
    return render(
        request, "registration/invitation_accept.html", context, status=status
    )


class AuditedSetPasswordForm(InvitationPasswordForm):
    """The reset-confirm form: the new password is set by ``people`` (audited)."""

    def save(self, commit: bool = True):
        user = people.accept_invitation(
            self.user, password=self.cleaned_data["new_password1"], via="reset"
        )
        # Whoever holds the mailbox chose a new password: failed log-ins counted
        # against the account (django-axes) no longer stand between it and its owner.
        axes_reset(username=user.get_username())
        return user


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, throttled per address and for everyone before any
    mail is sent. A refused request gets a 429 page saying which limit it hit (it
    names no account, so it tells nothing the neutral "sent" page hides)."""

    def form_valid(self, form):
        limits = settings.FACTCHECK
        refused = throttle.admit(
            self.request,
            "password-reset",
            per_address=limits["PASSWORD_RESETS_PER_HOUR"],
            overall=limits["PASSWORD_RESETS_PER_HOUR_GLOBAL"],
        )
        if refused:
            context = {"refused": refused.value}
            return render(self.request, RESET_THROTTLED, context, status=429)
        return super().form_valid(form)


RESET_THROTTLED = "registration/password_reset_throttled.html"
password_reset = ThrottledPasswordResetView.as_view(
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=AuditedSetPasswordForm,
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()


# --- The verdict scale --------------------------------------------------------------


@require_GET
@permission_required(MANAGE, raise_exception=True)
def rating_list(request: HttpRequest) -> HttpResponse:
    ratings = Rating.objects.order_by("order", "pk")
    return render(request, "factcheck/rating_list.html", {"ratings": ratings})


def _rating_for(user: User, pk: int) -> Rating:
    if not user.has_perm(MANAGE):
        raise Http404("No such rating.")
    try:
        return Rating.objects.get(pk=int(pk))
    except (Rating.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such rating.") from None


def _rating_form_page(request, form, rating, *, status=200) -> HttpResponse:
    context = {"form": form, "rating": rating}
    return render(request, "factcheck/rating_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def rating_create(request: HttpRequest) -> HttpResponse:
    form = RatingForm(request.POST or None, initial={"colour": "#6b7280"})
    if request.method == "GET" or not form.is_valid():
        return _rating_form_page(
            request, form, None, status=400 if form.is_bound else 200
        )
    outcome = perform(
        lambda: workflow.create_rating(actor=request.user, **form.cleaned_data),
        success=f"Added “{form.cleaned_data['label']}” to the scale.",
    )
    if not outcome.ok:
        form.add_error(None, outcome.message)
        return _rating_form_page(request, form, None, status=outcome.status)
    messages.success(request, outcome.message)
    return redirect("rating-list")


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def rating_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rating = _rating_for(request.user, pk)
    if request.method == "GET":
        return _rating_form_page(request, RatingForm.for_rating(rating), rating)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rating_form_page(request, form, rating, status=400)
    outcome = perform(
        lambda: workflow.update_rating(rating, actor=request.user, **form.cleaned_data),
        success=f"Saved “{form.cleaned_data['label']}”.",
    )
    if not outcome.ok:
        form.add_error(None, outcome.message)
        return _rating_form_page(request, form, rating, status=outcome.status)
    messages.success(request, outcome.message)
    return redirect("rating-list")


def _rating_css_etag(request: HttpRequest) -> str:
    return hashlib.sha256(ratingstyles.stylesheet().encode()).hexdigest()[:32]


@login_not_required
@require_GET
@cache_control(public=True, max_age=ratingstyles.CACHE_SECONDS)
@condition(etag_func=_rating_css_etag)
def rating_styles(request: HttpRequest) -> HttpResponse:
    """Badge colours as CSS (CSP forbids inline styles); public, cached, ETagged."""
    return HttpResponse(ratingstyles.stylesheet(), content_type="text/css")
