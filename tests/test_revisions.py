"""A new version of an article: re-anchored claims keep their work, changed ones
are flagged, new sentences become claims, publishing waits for an editor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.audit import AuditAction
from factcheck.models import Article, ArticleRevision, AuditEvent, ClaimState
from factcheck.roles import Role
from factcheck.workflow import Conflict, InvalidTransition
from factcheck.workflow.publication import preview_publication
from tests.factories import decide_claim, make_decided_article, make_service_account

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "seeds" / "000_cb454b6630152dc4.txt"
TYPO = ("Sustainable development remains", "Sustainable developmnet remains")
INSERTED = (
    "Customs data show that rail freight between the two countries grew 18 percent "
    "in 2025, to 3.1 million containers."
)


def _work(claim) -> dict:
    """Everything a reviewer did on a claim, to compare before and after."""
    claim.refresh_from_db()
    return {
        "state": claim.state,
        "assignee": claim.assignee_id,
        "sources": list(claim.sources.values_list("pk", flat=True)),
        "notes": list(claim.notes.values_list("pk", flat=True)),
        "verdicts": list(claim.verdicts.values_list("pk", "is_current")),
    }


@pytest.fixture
def sample(reviewer, editor):
    """The sample article, ingested with a typo in a sentence that is no claim."""
    body = SEED.read_bytes().decode("utf-8", "replace")
    article = workflow.create_article(
        actor=reviewer,
        raw=SEED.read_bytes().replace(TYPO[0].encode(), TYPO[1].encode()),
        filename=SEED.name,
        metadata={},
    )
    assert TYPO[1] in article.body and body  # the typo went in
    claims = list(article.claims.order_by("start"))
    assert not any(TYPO[1] in c.text for c in claims)  # ... in no claim
    # Work on a spread of claims, among them the ones the edit will touch.
    for n in (0, 3, 9, 12, 16):
        decide_claim(claims[n], reviewer=reviewer, editor=editor)
    workflow.take_claim(claims[5], actor=reviewer)
    workflow.add_note(claims[5], actor=reviewer, body="Ask the ministry.")
    return article


def _edited(article, claims) -> tuple[str, dict]:
    """The edit of the acceptance test, and which claims it changes how."""
    body = article.body
    reworded = {
        claims[3].pk: claims[3].text.replace("matured into", "grown into"),
        claims[12].pk: claims[12].text.replace("constellation", "network"),
    }
    for pk, text in reworded.items():
        old = next(c.text for c in claims if c.pk == pk)
        assert old != text
        body = body.replace(old, text)
    body = body.replace(claims[16].text + " ", "")  # delete a claim sentence
    body = body.replace(TYPO[1], TYPO[0])  # the typo fixed
    first_para_end = body.index("\n", body.index("Beijing"))
    body = body[:first_para_end] + "\n" + INSERTED + body[first_para_end:]
    return body, {"changed": set(reworded), "vanished": {claims[16].pk}}


def test_an_edited_sample_flags_exactly_the_changed_claims(sample, reviewer):
    claims = list(sample.claims.order_by("start"))
    before = {c.pk: (c.text, _work(c)) for c in claims}
    new_body, expected = _edited(sample, claims)
    events = AuditEvent.objects.count()

    revision = workflow.revise_article(sample, actor=reviewer, raw=new_body, version=1)

    sample.refresh_from_db()
    assert revision.number == 2 and sample.body == revision.body
    assert ArticleRevision.objects.get(article=sample, number=1).body != sample.body
    after = {c.pk: c for c in sample.claims.all()}
    flagged = {pk for pk, c in after.items() if c.text_changed}
    assert flagged == expected["changed"] | expected["vanished"]
    for pk, (text, work) in before.items():
        claim = after[pk]
        assert _work(claim) == work  # every claim keeps its work
        if pk in flagged:
            assert claim.previous_text == text
            continue
        assert claim.text == text
        assert sample.body[claim.start : claim.end] == text
    for pk in expected["changed"]:
        claim = after[pk]
        assert not claim.vanished
        assert sample.body[claim.start : claim.end] == claim.text != claim.previous_text
    (gone,) = expected["vanished"]
    assert after[gone].vanished and after[gone].text == before[gone][0]
    new = [c for pk, c in after.items() if pk not in before]
    assert [c.text for c in new] == [INSERTED]
    assert sorted(c.position for c in after.values()) == list(range(1, len(after) + 1))
    # One event, with the counts and the flags.
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.ARTICLE_REVISED
    assert {k: event.data[k] for k in ("changed", "vanished", "new")} == {
        "changed": 2,
        "vanished": 1,
        "new": 1,
    }
    assert event.data["kept"] + event.data["moved"] == len(claims) - 3
    assert {f["claim"] for f in event.data["flagged"]} == flagged


def test_metadata_given_with_a_version_changes_only_those_fields(reviewer):
    article = make_decided_article(outlet="Wire")
    workflow.revise_article(
        article,
        actor=reviewer,
        raw=article.body + "\nA new line.",
        metadata={"title": "Exports, updated"},
        version=1,
    )
    article.refresh_from_db()
    assert (article.title, article.outlet) == ("Exports, updated", "Wire")


def test_a_stale_version_is_a_conflict_and_stores_nothing(sample, reviewer):
    workflow.revise_article(
        sample, actor=reviewer, raw=sample.body + "\nMore.", version=1
    )
    count = ArticleRevision.objects.count()
    with pytest.raises(Conflict):
        workflow.revise_article(
            sample, actor=reviewer, raw=sample.body + "\nOther.", version=1
        )
    assert ArticleRevision.objects.count() == count


def test_refusals(sample, reviewer, outsider):
    with pytest.raises(PermissionDenied):
        workflow.revise_article(sample, actor=outsider, raw="Some text.", version=1)
    with pytest.raises(ValidationError):
        workflow.revise_article(sample, actor=reviewer, raw="   ", version=1)
    sample.refresh_from_db()
    with pytest.raises(ValidationError, match="same as the current"):
        workflow.revise_article(sample, actor=reviewer, raw=sample.body, version=1)
    assert not ArticleRevision.objects.exists()


def test_a_changed_approved_claim_blocks_publishing_until_an_editor_confirms(
    reviewer, editor
):
    article = make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)
    first = article.claims.order_by("start").first()
    workflow.revise_article(
        article,
        actor=reviewer,
        raw=article.body.replace("12 percent", "14 percent"),
        version=1,
    )
    first.refresh_from_db()
    assert first.text_changed and first.state == ClaimState.APPROVED
    assert "14 percent" in first.text and "12 percent" in first.previous_text
    with pytest.raises(InvalidTransition, match="changed since review"):
        workflow.publish_article(article, actor=editor, correction_note="Updated.")
    preview = preview_publication(article, actor=editor)
    assert "changed since review" in preview.refusal.message
    with pytest.raises(PermissionDenied):
        workflow.confirm_claim_text(first, actor=reviewer)

    workflow.confirm_claim_text(first, actor=editor, note="Still false.")

    first.refresh_from_db()
    assert not first.text_changed and first.previous_text == ""
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.CLAIM_TEXT_CONFIRMED
    assert "12 percent" in event.data["previous_text"]
    publication = workflow.publish_article(
        article, actor=editor, correction_note="The story now says 14 percent."
    )
    assert publication.version == 2
    with pytest.raises(InvalidTransition):  # nothing left to confirm
        workflow.confirm_claim_text(first, actor=editor)


def test_a_vanished_claim_comes_back_when_its_sentence_does(reviewer, editor):
    article = make_decided_article(reviewer=reviewer, editor=editor)
    claims = list(article.claims.order_by("start"))
    original = article.body
    workflow.revise_article(
        article, actor=reviewer, raw=original.replace(claims[1].text, ""), version=1
    )
    claims[1].refresh_from_db()
    assert claims[1].vanished and claims[1].text_changed
    workflow.revise_article(article, actor=reviewer, raw=original, version=2)
    claims[1].refresh_from_db()
    article.refresh_from_db()
    assert not claims[1].vanished
    assert article.body[claims[1].start : claims[1].end] == claims[1].text
    assert claims[1].text_changed  # still needs an editor's look
    assert article.revisions.count() == 3


# --- the pages ----------------------------------------------------------------------


def test_the_new_version_form_stores_a_revision_and_keeps_input_on_conflict(
    client, reviewer
):
    article = make_decided_article()
    url = reverse("article-revise", args=[article.pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    new_text = article.body.replace("12 percent", "14 percent")

    response = client.post(url, {"text": new_text, "version": 1})

    assert response.status_code == 302
    article.refresh_from_db()
    assert "14 percent" in article.body
    # A form drawn at version 1 is now stale: 409, the pasted text kept.
    stale = client.post(url, {"text": new_text + "\nMore.", "version": 1})
    assert stale.status_code == 409
    assert "Someone else stored version 2" in stale.content.decode()
    assert "More." in stale.content.decode()
    # The versions stay readable.
    listing = client.get(reverse("article-revisions", args=[article.pk]))
    assert listing.status_code == 200 and "original text" in listing.content.decode()
    old = client.get(reverse("article-revision", args=[article.pk, 1]))
    assert "12 percent" in old.content.decode()
    missing = client.get(reverse("article-revision", args=[article.pk, 9]))
    assert missing.status_code == 404


def test_the_claim_page_shows_the_diff_and_the_editor_confirms(client, editor):
    article = make_decided_article(editor=editor)
    claim = article.claims.order_by("start").first()
    workflow.revise_article(
        article,
        actor=article.ingested_by,
        raw=article.body.replace("12 percent", "14 percent"),
        version=1,
    )
    client.force_login(editor)
    page = client.get(reverse("claim-detail", args=[claim.pk])).content.decode()
    assert "Text changed since review" in page
    assert "<del>12 </del>" in page and "<ins>14 </ins>" in page
    assert reverse("claim-confirm-text", args=[claim.pk]) in page
    article_page = client.get(reverse("article-detail", args=[article.pk]))
    assert "text changed since review" in article_page.content.decode()
    claim.refresh_from_db()

    response = client.post(
        reverse("claim-confirm-text", args=[claim.pk]), {"version": claim.version}
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert not claim.text_changed
    again = client.post(
        reverse("claim-confirm-text", args=[claim.pk]), {"version": claim.version}
    )
    assert again.status_code == 409


# --- the API ------------------------------------------------------------------------


def _put(client, pk, secret, body):
    return client.put(
        f"/api/articles/{pk}",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def test_put_stores_a_revision_and_a_stale_version_is_409(client, admin_user):
    cms = make_service_account(role=Role.REVIEWER, username="cms")
    secret = workflow.create_api_token(actor=admin_user, user=cms, name="CMS")[1]
    article = make_decided_article()
    new_text = article.body.replace("12 percent", "14 percent")
    got = client.get(
        f"/api/articles/{article.pk}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert got.json()["revision"] == 1

    response = _put(client, article.pk, secret, {"text": new_text, "version": 1})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["revision"] == 2 and data["changed"] == 1 and data["new"] == 0
    assert data["article"]["revision"] == 2 and "14 percent" in data["article"]["body"]
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.ARTICLE_REVISED and event.actor == cms
    stale = _put(
        client, article.pk, secret, {"text": new_text + " More.", "version": 1}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert _put(client, 10**9, secret, {"text": "x", "version": 1}).status_code == 404
    assert _put(client, article.pk, secret, {"text": "", "version": 2}).status_code == (
        422
    )
    reader = workflow.create_api_token(
        actor=admin_user, user=admin_user, name="Reader"
    )[1]
    refused = _put(client, article.pk, reader, {"text": "New text.", "version": 2})
    assert refused.status_code == 403


URL = "https://news.example/budget-story"
FIRST = (
    "The budget grew 12 percent in 2025, the ministry said.\n\n"
    "Officials expect a surplus next year.\n"
)


def _ingest_form(text: str, url: str) -> dict:
    return {
        "text": text,
        "title": "Budget story",
        "original_url": url,
        "language": "en",
    }


def test_ingesting_a_known_original_url_stores_a_new_version(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("article-new"), _ingest_form(FIRST, URL))
    [article] = reviewer_articles()
    work = {c.pk: c.text for c in article.claims.all()}

    changed = FIRST.replace("12 percent", "14 percent")
    response = client.post(
        reverse("article-new"), _ingest_form(changed, URL), follow=True
    )

    assert [a.pk for a in reviewer_articles()] == [article.pk]  # no second article
    assert response.redirect_chain[-1][0] == article.get_absolute_url()
    assert "stored as version 2 of this article" in response.content.decode()
    article.refresh_from_db()
    assert "14 percent" in article.body
    assert list(
        article.revisions.values_list("number", flat=True).order_by("number")
    ) == [1, 2]
    assert any(c.text_changed for c in article.claims.all())
    assert set(work) <= set(article.claims.values_list("pk", flat=True))


def test_another_url_or_none_is_a_new_article(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("article-new"), _ingest_form(FIRST, URL))
    client.post(reverse("article-new"), _ingest_form(FIRST, URL + "-2"))
    client.post(reverse("article-new"), _ingest_form(FIRST, ""))

    assert len(reviewer_articles()) == 3
    assert not ArticleRevision.objects.exists()


def test_the_same_text_again_is_refused_with_a_message(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("article-new"), _ingest_form(FIRST, URL))

    response = client.post(reverse("article-new"), _ingest_form(FIRST, URL))

    assert response.status_code == 400
    assert "same as the current version" in response.content.decode()
    assert len(reviewer_articles()) == 1


def reviewer_articles() -> list[Article]:
    return list(Article.objects.order_by("pk"))
