"""Webhooks: signed deliveries reach a real local receiver, failures are retried with
back-off, private addresses are refused, admins manage endpoints (audited), and the
secret is shown once."""

from __future__ import annotations

import ipaddress
import json
import shutil
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from factcheck import webhooks, workflow
from factcheck.models import (
    AuditEvent,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from factcheck.roles import Role
from factcheck.tasks import deliver_webhook

from .factories import make_claim, make_decided_article, make_user

ARTICLE_EVENTS = [
    WebhookEvent.ARTICLE_PUBLISHED,
    WebhookEvent.ARTICLE_CORRECTED,
    WebhookEvent.ARTICLE_UNPUBLISHED,
]


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread that answers with ``statuses`` in turn
    (the last one from then on) and keeps every request it got."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = (
                    receiver.statuses.pop(0)
                    if len(receiver.statuses) > 1
                    else receiver.statuses[0]
                )
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/factcheck"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "WEBHOOK_ALLOW_PRIVATE": True}


def _hook(admin, url, events=ARTICLE_EVENTS) -> tuple[Webhook, str]:
    return workflow.create_webhook(actor=admin, url=url, events=events)


def _publish(article, editor, capture, **kw):
    with capture(execute=True):
        return workflow.publish_article(article, actor=editor, **kw)


# --- Signing -------------------------------------------------------------------------


def test_signature_verifies_and_refuses_tampering_replay_and_wrong_secret():
    body = b'{"type":"article.published"}'
    now = int(time.time())
    header = webhooks.sign("whsec_x", body, now)
    assert header.startswith(f"t={now},v1=")
    assert webhooks.verify_signature(body, header, "whsec_x")
    assert not webhooks.verify_signature(body + b" ", header, "whsec_x")
    assert not webhooks.verify_signature(body, header, "whsec_y")
    assert not webhooks.verify_signature(body, header, "whsec_x", now=now + 301)
    assert webhooks.verify_signature(body, header, "whsec_x", now=now + 299)
    assert not webhooks.verify_signature(body, "", "whsec_x")
    assert not webhooks.verify_signature(body, "t=abc,v1=00", "whsec_x")


# --- Where webhooks may go -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://localhost/hook",  # a name resolving to 127.0.0.1 / ::1
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(url):
    with pytest.raises(webhooks.UnsafeDestination):
        webhooks.resolve(url)


def test_metadata_and_link_local_stay_refused_when_private_is_allowed(allow_private):
    with pytest.raises(webhooks.UnsafeDestination):
        webhooks.resolve("http://169.254.169.254/latest/meta-data/")
    assert webhooks.resolve("http://127.0.0.1:1/x")[3] == "127.0.0.1"


def test_public_addresses_are_allowed():
    assert webhooks._refusal(ipaddress.ip_address("93.184.216.34")) is None
    assert webhooks._refusal(ipaddress.ip_address("2606:4700::1111")) is None


@pytest.mark.parametrize(
    "url", ["ftp://cms.example/", "https://user:pw@cms.example/", "http://10.0.0.1/"]
)
def test_an_unusable_address_is_refused_when_saved(admin_user, url):
    with pytest.raises(ValidationError):
        _hook(admin_user, url)
    assert not Webhook.objects.exists()


def test_a_name_that_resolves_to_loopback_is_refused_at_send_time(
    admin_user, editor, settings, django_capture_on_commit_callbacks
):
    """Saved while private addresses were allowed; refused after DNS when not."""
    settings.FACTCHECK = {**settings.FACTCHECK, "WEBHOOK_ALLOW_PRIVATE": True}
    with Receiver() as receiver:
        port = receiver.server.server_port
        _hook(admin_user, f"http://localhost:{port}/hook")
        settings.FACTCHECK = {**settings.FACTCHECK, "WEBHOOK_ALLOW_PRIVATE": False}
        article = make_decided_article(editor=editor)
        _publish(article, editor, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.PENDING
    assert "private or loopback" in delivery.last_error
    assert delivery.last_status_code is None


# --- Delivery, end to end ------------------------------------------------------------


def test_publishing_delivers_a_signed_event_to_a_local_receiver(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        hook, secret = _hook(admin_user, receiver.url)
        article = make_decided_article(editor=editor)
        _publish(article, editor, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/factcheck"
    assert webhooks.verify_signature(body, headers["X-Factcheck-Signature"], secret)
    assert headers["X-Factcheck-Event"] == "article.published"
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Factcheck-Delivery"] == str(delivery.uuid)
    payload = json.loads(body)
    assert payload["type"] == "article.published"
    assert payload["id"] == str(delivery.uuid)
    assert payload["created"]
    assert payload["data"]["article"]["id"] == article.pk
    assert payload["data"]["article"]["version"] == 1
    assert payload["data"]["article"]["public_url"].endswith(
        reverse("public-summary", args=[article.slug])
    )
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None


def test_a_failed_delivery_is_retried_with_backoff_and_logged(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver(statuses=(500, 200)) as receiver:
        _hook(admin_user, receiver.url)
        article = make_decided_article(editor=editor)
        before = timezone.now()
        _publish(article, editor, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.attempts == 1 and delivery.last_status_code == 500
        wait = delivery.next_attempt_at - before
        assert timedelta(seconds=55) < wait < timedelta(seconds=65)  # 1 minute

        # Not due yet: nothing is sent.
        assert webhooks.deliver_due(now=timezone.now()) == 0
        later = delivery.next_attempt_at + timedelta(seconds=1)
        assert webhooks.deliver_due(now=later) == 1

    delivery.refresh_from_db()
    assert len(receiver.requests) == 2
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert [e["status_code"] for e in delivery.log] == [500, 200]
    assert "500" in delivery.log[0]["error"] and delivery.log[1]["error"] == ""
    # Same delivery id both times, so the receiver can drop a duplicate.
    ids = {r["headers"]["X-Factcheck-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.uuid)}


def test_a_delivery_gives_up_after_the_last_backoff(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver(statuses=(503,)) as receiver:
        _hook(admin_user, receiver.url)
        article = make_decided_article(editor=editor)
        _publish(article, editor, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        gaps = []
        while delivery.status == DeliveryStatus.PENDING:
            previous = delivery.next_attempt_at
            webhooks.deliver_due(now=previous)
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                gaps.append(delivery.next_attempt_at - previous)
    assert gaps == list(webhooks.BACKOFF[1:])
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == len(receiver.requests)
    assert webhooks.deliver_due(now=timezone.now() + timedelta(days=3)) == 0


def test_redirects_are_not_followed(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver(statuses=(302,)) as receiver:
        _hook(admin_user, receiver.url)
        _publish(
            make_decided_article(editor=editor),
            editor,
            django_capture_on_commit_callbacks,
        )
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1
    assert delivery.last_status_code == 302
    assert delivery.status == DeliveryStatus.PENDING


def test_nothing_is_queued_or_sent_when_the_change_rolls_back(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        _hook(admin_user, receiver.url)
        article = make_decided_article(editor=editor)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                workflow.publish_article(article, actor=editor)
                raise RuntimeError("the request failed after publishing")
    assert callbacks == []
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_events_for_correction_unpublishing_and_approval(
    admin_user, reviewer, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        _, secret = _hook(admin_user, receiver.url, events=WebhookEvent.values)
        article = make_decided_article(reviewer=reviewer, editor=editor)
        _publish(article, editor, django_capture_on_commit_callbacks)
        _publish(
            article,
            editor,
            django_capture_on_commit_callbacks,
            correction_note="Fixed a date.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            workflow.unpublish_article(article, actor=editor, reason="Legal review.")
        with django_capture_on_commit_callbacks(execute=True):
            claim = make_claim(state="approved", reviewer=reviewer, editor=editor)
    payloads = [json.loads(r["body"]) for r in receiver.requests]
    assert [p["type"] for p in payloads] == [
        "article.published",
        "article.corrected",
        "article.unpublished",
        "claim.approved",
    ]
    assert payloads[1]["data"]["correction_note"] == "Fixed a date."
    assert payloads[1]["data"]["article"]["version"] == 2
    assert payloads[2]["data"]["reason"] == "Legal review."
    approved = payloads[3]["data"]["claim"]
    assert approved["id"] == claim.pk
    assert approved["verdict"] == claim.verdicts.get(is_current=True).rating.label
    assert approved["public_url"] is None  # not published yet
    for r in receiver.requests:
        assert webhooks.verify_signature(
            r["body"], r["headers"]["X-Factcheck-Signature"], secret
        )


def test_a_disabled_endpoint_gets_nothing(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        hook, _ = _hook(admin_user, receiver.url)
        workflow.disable_webhook(hook, actor=admin_user)
        _publish(
            make_decided_article(editor=editor),
            editor,
            django_capture_on_commit_callbacks,
        )
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_pending_deliveries_are_held_while_the_endpoint_is_disabled(
    admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver(statuses=(500, 200)) as receiver:
        hook, _ = _hook(admin_user, receiver.url)
        _publish(
            make_decided_article(editor=editor),
            editor,
            django_capture_on_commit_callbacks,
        )
        workflow.disable_webhook(hook, actor=admin_user)
        later = timezone.now() + timedelta(hours=1)
        assert webhooks.deliver_due(now=later) == 0
        workflow.update_webhook(
            hook, actor=admin_user, url=hook.url, events=hook.events, active=True
        )
        assert webhooks.deliver_due(now=later) == 1
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db(transaction=True)  # the worker closes its connections
def test_the_database_backend_defers_the_retry_for_the_worker(
    admin_user, editor, allow_private, settings, django_capture_on_commit_callbacks
):
    """Production: the first attempt and its retry are task rows ``db_worker`` runs,
    the retry not before its back-off."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with Receiver(statuses=(500, 200)) as receiver:
        _hook(admin_user, receiver.url)
        _publish(
            make_decided_article(editor=editor),
            editor,
            django_capture_on_commit_callbacks,
        )
        assert receiver.requests == []  # queued, not sent in the request
        delivery = WebhookDelivery.objects.get()
        [first] = DBTaskResult.objects.all()
        assert first.args_kwargs["args"] == [delivery.pk]
        # The worker runs what is due: the first attempt, not the deferred retry.
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and len(receiver.requests) == 1
        first.refresh_from_db()
        assert first.status == "SUCCESSFUL"
        retry = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert retry.status == "READY"
        assert retry.run_after == delivery.next_attempt_at
        deliver_webhook.call(delivery.pk)  # too early: the retry waits its turn
        assert len(receiver.requests) == 1


# --- The screen (admins) -------------------------------------------------------------


def test_the_secret_is_shown_once_and_never_audited(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhook-create"),
        {"url": "https://cms.example/hooks", "events": ["article.published"]},
    )
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert hook.secret.startswith("whsec_")
    assert hook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    for url in (reverse("webhook-list"), reverse("webhook-edit", args=[hook.pk])):
        page = client.get(url)
        assert page.status_code == 200
        assert hook.secret not in page.content.decode()
    event = AuditEvent.objects.get(action="webhook.created")
    assert hook.secret not in json.dumps(event.data)
    assert event.data["url"] == "https://cms.example/hooks"


def test_a_private_address_is_refused_by_the_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhook-create"),
        {"url": "http://169.254.169.254/", "events": ["article.published"]},
    )
    assert response.status_code == 400
    assert "link-local or cloud metadata" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_stale_edit_is_refused_and_keeps_the_input(client, admin_user):
    hook, _ = _hook(admin_user, "https://cms.example/a")
    client.force_login(admin_user)
    stale = client.get(reverse("webhook-edit", args=[hook.pk])).context["form"]
    workflow.update_webhook(
        hook,
        actor=admin_user,
        url="https://cms.example/b",
        events=ARTICLE_EVENTS,
        active=True,
    )
    response = client.post(
        reverse("webhook-edit", args=[hook.pk]),
        {
            "url": "https://cms.example/mine",
            "events": ["claim.approved"],
            "active": "on",
            "version": stale.initial["version"],
        },
    )
    assert response.status_code == 409
    assert "https://cms.example/mine" in response.content.decode()
    hook.refresh_from_db()
    assert hook.url == "https://cms.example/b"


def test_redeliver_sends_the_same_delivery_again_and_is_audited(
    client, admin_user, editor, allow_private, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        _, secret = _hook(admin_user, receiver.url)
        _publish(
            make_decided_article(editor=editor),
            editor,
            django_capture_on_commit_callbacks,
        )
        delivery = WebhookDelivery.objects.get()
        client.force_login(admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("webhook-redeliver", args=[delivery.pk]))
    assert response.status_code == 302
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.DELIVERED
    event = AuditEvent.objects.get(action="webhook.redelivered")
    assert event.data["delivery"] == str(delivery.uuid)
    assert secret not in json.dumps(event.data)


def test_the_delivery_log_pages_in_constant_queries(
    client, admin_user, django_assert_max_num_queries
):
    hook, _ = _hook(admin_user, "https://cms.example/a")
    for _ in range(60):
        with transaction.atomic():
            webhooks.announce(WebhookEvent.ARTICLE_PUBLISHED, lambda: {"article": {}})
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("webhook-list"))
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.items) == 25 and page.next
    with django_assert_max_num_queries(12):
        second = client.get(reverse("webhook-list") + page.next)
    assert second.context["page"].first == 26
    assert "Redeliver" in second.content.decode()


def test_only_admins_manage_webhooks(client, editor):
    client.force_login(editor)
    assert client.get(reverse("webhook-list")).status_code == 403
    response = client.post(
        reverse("webhook-create"),
        {"url": "https://cms.example/hooks", "events": ["article.published"]},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        workflow.create_webhook(
            actor=make_user(role=Role.EDITOR),
            url="https://cms.example/x",
            events=["article.published"],
        )
    assert not Webhook.objects.exists()


def test_https_checks_the_certificate_against_the_name_sent_as_sni(
    tmp_path, allow_private
):
    """The connection goes to the checked address, but TLS speaks to the name: SNI
    carries it and a certificate the system does not trust is refused."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", key, "-out", cert, "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    receiver = Receiver()
    receiver.server.socket = context.wrap_socket(
        receiver.server.socket, server_side=True
    )
    with receiver:
        url = f"https://localhost:{receiver.server.server_port}/hook"
        with pytest.raises(webhooks.DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            webhooks.post(url, b"{}", {"Content-Type": "application/json"})
    assert names == ["localhost"]
    assert receiver.requests == []


def test_deliver_webhooks_sends_a_delivery_whose_task_was_lost(
    admin_user, editor, allow_private, capsys
):
    """Published without running the on-commit enqueue (as if the process stopped
    right after the commit): the outbox row waits, and the command sends it."""
    with Receiver() as receiver:
        _, secret = _hook(admin_user, receiver.url)
        workflow.publish_article(make_decided_article(editor=editor), actor=editor)
        assert receiver.requests == []
        call_command("deliver_webhooks")
        call_command("deliver_webhooks")  # nothing left: sends nothing twice
    assert "Attempted 1 webhook delivery." in capsys.readouterr().out
    [request] = receiver.requests
    assert webhooks.verify_signature(
        request["body"], request["headers"]["X-Factcheck-Signature"], secret
    )
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
