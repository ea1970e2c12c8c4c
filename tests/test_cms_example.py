"""examples/cms.py against a running desk: push an article over the API, hear the
signed "article.published" webhook, read the published verdicts back."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

from factcheck import workflow
from factcheck.models import Claim, ClaimState
from factcheck.roles import Role

from .factories import decide_claim, make_service_account, make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cms.py"
TEXT = (
    "Exports rose 12 percent in 2025, the statistics office said.\n\n"
    "The port handled 4.1 million containers last year.\n"
)


def _example():
    spec = importlib.util.spec_from_file_location("cms_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_cms_example_pushes_hears_the_webhook_and_reads_verdicts(
    live_server, settings
):
    settings.FACTCHECK = {**settings.FACTCHECK, "WEBHOOK_ALLOW_PRIVATE": True}
    cms = _example()
    admin = make_user(role=Role.ADMIN)
    editor = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER)
    cms_account = make_service_account(role=Role.EDITOR, username="cms")
    _token, token = workflow.create_api_token(actor=admin, user=cms_account, name="CMS")
    port = _free_port()
    _hook, secret = workflow.create_webhook(
        actor=admin,
        url=f"http://127.0.0.1:{port}/",
        events=["article.published"],
    )
    server, events = cms.listen(port, secret)
    try:
        article = cms.push(live_server.url, token, TEXT, title="Port report")
        assert article["claims"], "the API split the article into claims"

        # The desk's side: every claim checked and approved, then published.
        for claim in _open_claims(article["id"]):
            decide_claim(claim, reviewer=reviewer, editor=editor)
        # Committed, so the delivery task runs (in process, as in development).
        workflow.publish_article(article["id"], actor=editor)
        event = cms.wait_for_publication(events, article["id"], timeout=30)
    finally:
        server.shutdown()

    assert event is not None and event["type"] == "article.published"
    fact_check = cms.published_verdicts(live_server.url, token, article["slug"])
    assert [c["rating"]["slug"] for c in fact_check["claims"]] == ["false"] * len(
        article["claims"]
    )


def _open_claims(article_id: int) -> list[Claim]:
    claims = Claim.objects.filter(article_id=article_id, state=ClaimState.OPEN)
    return list(claims.order_by("start"))


def test_the_example_refuses_a_badly_signed_delivery():
    cms = _example()
    body = b'{"type": "article.published"}'
    assert not cms.verify_signature(body, "t=1,v1=00", "secret")
    assert not cms.verify_signature(body, "", "secret")
