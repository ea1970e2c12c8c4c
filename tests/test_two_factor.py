"""Two-factor sign-in: turning it on and off, signing in with a code or a recovery
code, wrong codes locked out like passwords, the policy that forces set-up, audit."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from factcheck import two_factor, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent
from factcheck.roles import Role

from .factories import make_service_account, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, in hex


def code(key: str = KEY, steps: int = 0) -> str:
    """The code an authenticator app shows ``steps`` periods from now."""
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"


def enable(user, key: str = KEY) -> list[str]:
    """Turn it on with the previous period's code, so the current one is unused."""
    _device, codes = workflow.enable_two_factor(
        user, actor=user, key=key, code=code(key, -1)
    )
    return codes


def password_login(username: str, ip: str = "10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def verify(client: Client, value: str, next_url: str = ""):
    data = {"code": value, "next": next_url}
    return client.post(reverse("two-factor-verify"), data)


def events(action: AuditAction):
    return AuditEvent.objects.filter(action=action)


# --- Turning it on --------------------------------------------------------------------


def test_setup_shows_a_qr_code_the_uri_and_the_secret(client, reviewer):
    client.force_login(reviewer)

    page = client.get(reverse("two-factor-setup"))
    again = client.get(reverse("two-factor-setup"))

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "<svg" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>")[0]
    )
    uri = re.search(r'id="two-factor-uri">(otpauth://totp/[^<]+)<', html).group(1)
    assert "secret=" in uri and "issuer=" in uri and "rae" in uri
    assert re.search(r'id="two-factor-secret">[A-Z2-7 ]{32,}<', html)
    # The secret waits in the session: reloading the page does not change it.
    assert uri in again.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()


def _session_key(client: Client) -> str:
    return client.session[two_factor.SETUP_KEY]


def test_confirming_with_a_code_turns_it_on_and_shows_ten_recovery_codes_once(
    client, reviewer
):
    client.force_login(reviewer)
    client.get(reverse("two-factor-setup"))
    key = _session_key(client)

    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()

    done = client.post(reverse("two-factor-setup"), {"code": code(key)})

    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", done.text)
    assert len(shown) == 10
    device = TOTPDevice.objects.get(user=reviewer)
    assert device.confirmed and device.key == key
    stored = set(
        StaticToken.objects.filter(device__user=reviewer).values_list(
            "token", flat=True
        )
    )
    assert stored == {c.replace("-", "") for c in shown}
    event = events(AuditAction.TWO_FACTOR_ENABLED).get()
    assert event.actor == reviewer and event.subject_user == reviewer
    # This session proved it has the app; the codes are not shown again.
    assert client.get(reverse("dashboard")).status_code == 200
    status = client.get(reverse("two-factor")).content.decode()
    assert "Recovery codes left: <strong>10</strong>" in status
    assert shown[0] not in status
    assert client.get(reverse("two-factor-setup")).status_code == 302


# --- Signing in -----------------------------------------------------------------------


def test_a_password_alone_reaches_only_the_code_page(reviewer):
    enable(reviewer)
    client = password_login("rae")

    for name in ("dashboard", "queue", "two-factor", "password_change", "search"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("two-factor-verify")), name
    posted = client.post(reverse("two-factor-disable"), {"confirmation": PASSWORD})
    assert posted["Location"] == reverse("two-factor-verify")
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    # Pages anyone may see stay reachable, and logging out works.
    assert client.get(reverse("public-index")).status_code == 200
    assert client.get(reverse("two-factor-verify")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_the_right_code_finishes_signing_in_and_returns_to_the_page(reviewer):
    enable(reviewer)
    client = password_login("rae")
    sent = client.get(reverse("queue"))
    assert sent["Location"] == reverse("two-factor-verify") + "?next=%2Fqueue%2F"

    response = verify(client, code(), next_url="/queue/")

    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("two-factor-verify"))["Location"] == reverse("dashboard")


@pytest.mark.parametrize("typed", ["{a} {b}", " {a}-{b} ", "{a}\t{b}"])
def test_a_code_with_spaces_or_hyphens_is_accepted(reviewer, typed):
    enable(reviewer)
    client = password_login("rae")
    now = code()

    response = verify(client, typed.format(a=now[:3], b=now[3:]))

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_next_address_elsewhere_is_ignored(reviewer):
    enable(reviewer)
    client = password_login("rae")
    response = verify(client, code(), next_url="https://evil.example/")
    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code from your app, or a recovery code."),
        ("   ", "Enter the code from your app, or a recovery code."),
        ("12345", "not one of your unused recovery codes"),
        ("abcdef", "not one of your unused recovery codes"),
        ("a" * 65, "too long to be a code"),
        # Refused at the edge (RefuseUnstorableInputMiddleware) or by the form.
        ("\x00\x01", ""),
        ("<script>alert(1)</script>", "not one of your unused recovery codes"),
    ],
)
def test_bad_input_is_refused_with_a_message(reviewer, typed, message):
    enable(reviewer)
    client = password_login("rae")

    response = verify(client, typed)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_stale_code_and_a_used_code_are_refused(reviewer):
    enable(reviewer)
    client = password_login("rae")

    stale = verify(client, code(steps=-3))
    assert stale.status_code == 400
    assert "expired or been used already" in stale.content.decode()

    assert verify(client, code()).status_code == 302
    other = password_login("rae", ip="10.0.0.2")
    reused = verify(other, code())
    assert reused.status_code == 400
    assert "expired or been used already" in reused.content.decode()


def test_a_recovery_code_signs_in_once_and_is_audited(reviewer):
    codes = enable(reviewer)
    client = password_login("rae")
    typed = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"

    response = verify(client, typed)

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    used = events(AuditAction.RECOVERY_CODE_USED).get()
    assert used.subject_user == reviewer and used.data["left"] == 9
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9

    again = verify(password_login("rae"), codes[0])
    assert again.status_code == 400
    assert "each works once" in again.content.decode()
    assert events(AuditAction.RECOVERY_CODE_USED).count() == 1


def test_five_wrong_codes_lock_the_account_from_that_address(reviewer, settings):
    codes = enable(reviewer)
    client = password_login("rae")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    for _ in range(limit - 1):
        assert verify(client, "000000").status_code == 400
    locked = verify(client, "000000")
    assert locked.status_code == 429
    assert "Too many wrong codes from your address" in locked.content.decode()

    # Even the right code is refused now, from this address...
    right = verify(client, code())
    assert right.status_code == 429
    assert client.get(reverse("dashboard")).status_code == 302
    # ...and recovery codes too, so the lock cannot be side-stepped.
    assert verify(client, codes[0]).status_code == 429
    assert StaticToken.objects.filter(device__user=reviewer).count() == 10
    # From another address the owner still signs in.
    elsewhere = password_login("rae", ip="10.0.0.9")
    assert verify(elsewhere, code()).status_code == 302


def test_a_right_code_clears_earlier_failures(reviewer, settings):
    enable(reviewer)
    client = password_login("rae")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        verify(client, "000000")
    assert verify(client, code()).status_code == 302

    client = password_login("rae")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert verify(client, "000000").status_code == 400


# --- Turning it off, new recovery codes -----------------------------------------------


def _verified_client(user, *, steps: int = 0) -> Client:
    client = password_login(user.username)
    assert verify(client, code(steps=steps)).status_code == 302
    return client


def test_turning_it_off_needs_the_password_or_a_code(reviewer):
    enable(reviewer)
    client = _verified_client(reviewer)

    wrong = client.post(
        reverse("two-factor-disable"), {"confirmation": "nope"}, follow=True
    )
    assert "neither your password nor a current code" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=reviewer).exists()
    empty = client.post(
        reverse("two-factor-disable"), {"confirmation": ""}, follow=True
    )
    assert "Enter your password or a current code." in empty.content.decode()

    done = client.post(reverse("two-factor-disable"), {"confirmation": PASSWORD})

    assert done["Location"] == reverse("two-factor")
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    event = events(AuditAction.TWO_FACTOR_DISABLED).get()
    assert event.data == {"confirmed_with": "password"}
    # The session goes on, and the next sign-in needs the password only.
    assert client.get(reverse("dashboard")).status_code == 200
    assert password_login("rae").get(reverse("dashboard")).status_code == 200


def test_turning_it_off_with_a_current_code(reviewer):
    enable(reviewer, key=KEY)
    client = _verified_client(reviewer)

    client.post(reverse("two-factor-disable"), {"confirmation": code(steps=1)})

    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert events(AuditAction.TWO_FACTOR_DISABLED).get().data == {
        "confirmed_with": "code"
    }


def test_new_recovery_codes_replace_the_old_ones(reviewer):
    old = enable(reviewer)
    client = _verified_client(reviewer)

    response = client.post(
        reverse("two-factor-recovery-codes"), {"confirmation": PASSWORD}
    )

    assert response.status_code == 200
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.text)
    assert len(new) == 10 and not {c.replace("-", "") for c in new} & set(old)
    assert events(AuditAction.RECOVERY_CODES_REGENERATED).count() == 1
    assert verify(password_login("rae", ip="10.0.0.3"), old[1]).status_code == 400
    assert verify(password_login("rae", ip="10.0.0.4"), new[1]).status_code == 302


def test_only_the_owner_changes_their_two_factor_sign_in(reviewer, admin_user):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        workflow.enable_two_factor(reviewer, actor=admin_user, key=KEY, code=code())
    enable(reviewer)
    with pytest.raises(PermissionDenied):
        workflow.disable_two_factor(reviewer, actor=admin_user, confirmation=PASSWORD)
    bot = make_service_account()
    with pytest.raises(ValidationError):
        workflow.enable_two_factor(bot, actor=bot, key=KEY, code=code())


# --- The policy -------------------------------------------------------------------


def test_admins_set_the_policy_and_it_is_audited(client, admin_user, editor):
    client.force_login(editor)
    refused = client.post(reverse("two-factor-policy"), {"require_for_admins": "on"})
    assert refused.status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("two-factor-policy")).status_code == 200

    response = client.post(reverse("two-factor-policy"), {"require_for_editors": "on"})

    assert response["Location"] == reverse("two-factor-policy")
    event = events(AuditAction.TWO_FACTOR_POLICY_CHANGED).get()
    assert event.data["after"] == {
        "require_for_editors": True,
        "require_for_admins": False,
    }
    # Saving the same again is no change, and no event.
    client.post(reverse("two-factor-policy"), {"require_for_editors": "on"})
    assert events(AuditAction.TWO_FACTOR_POLICY_CHANGED).count() == 1


def test_the_policy_sends_an_editor_to_set_it_up_before_anything_else(
    admin_user, editor, reviewer
):
    workflow.set_two_factor_policy(
        actor=admin_user, require_for_editors=True, require_for_admins=False
    )
    client = password_login("ed")

    for name in ("dashboard", "queue", "two-factor", "approval-list"):
        response = client.get(reverse(name))
        assert response["Location"].startswith(reverse("two-factor-setup")), name
    page = client.get(reverse("two-factor-setup"))
    assert "Your role requires two-factor sign-in" in page.content.decode()
    # The code page is no way round it either: there is no app to check yet.
    assert client.get(reverse("two-factor-verify"))["Location"].startswith("/")

    key = client.session[two_factor.SETUP_KEY]
    assert (
        client.post(reverse("two-factor-setup"), {"code": code(key)}).status_code == 200
    )
    assert client.get(reverse("approval-list")).status_code == 200

    # A reviewer is not covered; nor is a service account.
    assert password_login("rae").get(reverse("dashboard")).status_code == 200
    assert two_factor.owed(make_service_account(role=Role.EDITOR)) is None


def test_a_new_policy_reaches_sessions_already_signed_in(
    admin_user, editor, django_capture_on_commit_callbacks
):
    client = password_login("ed")
    assert client.get(reverse("dashboard")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        workflow.set_two_factor_policy(
            actor=admin_user, require_for_editors=True, require_for_admins=False
        )

    response = client.get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("two-factor-setup"))


def test_a_session_that_owes_nothing_pays_no_query_for_it(editor):
    client = password_login("ed")
    client.get(reverse("two-factor"))  # the session and the user are loaded once

    # The dashboard's own queries aside, nothing asks about devices or the policy.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard")).status_code == 200
    tables = ("otp_totp", "otp_static", "factcheck_twofactorpolicy")
    assert not [
        q for q in queries.captured_queries if any(t in q["sql"] for t in tables)
    ]


def test_with_no_policy_saved_nobody_is_required(editor, admin_user):
    assert not two_factor.required_for(editor)
    assert password_login("ed").get(reverse("dashboard")).status_code == 200


def test_an_htmx_request_of_an_unverified_session_is_redirected_by_htmx(reviewer):
    enable(reviewer)
    client = password_login("rae")
    response = client.get(reverse("queue"), HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith(reverse("two-factor-verify"))


def test_an_admin_can_require_it_for_admins_too(admin_user):
    other_admin = make_user(role=Role.ADMIN, username="alex")
    workflow.set_two_factor_policy(
        actor=admin_user, require_for_editors=False, require_for_admins=True
    )
    assert two_factor.required_for(other_admin)
    client = password_login("alex")
    assert client.get(reverse("team"))["Location"].startswith(
        reverse("two-factor-setup")
    )
