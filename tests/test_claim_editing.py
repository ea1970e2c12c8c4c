"""Claim span edits before review: edit, split, merge, add, dismiss, restore.

Offsets stay exact after every edit, positions stay 1..n in body order, and each
edit is one audit event.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.audit import AuditAction
from factcheck.models import Article, AuditEvent, Claim, ClaimState

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db

LINES = [
    "The ministry said exports rose 12 percent in 2025. Imports fell 3 percent.",
    "Officials reported that 3,400 new rail wagons entered service last year.",
    "The treaty was signed in Moscow in 2001 by both presidents.",
]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def article(reviewer) -> Article:
    return make_article(actor=reviewer, lines=LINES, title="Rail")


def claims_of(article: Article) -> list[Claim]:
    return list(article.claims.order_by("position"))


def assert_consistent(article: Article) -> None:
    claims = claims_of(article)
    assert [c.position for c in claims] == list(range(1, len(claims) + 1))
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.text
        assert claim.text and claim.text == claim.text.strip()


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()


# --- edit -------------------------------------------------------------------------


def test_edit_moves_the_span_rescores_and_audits(article, reviewer):
    claim = claims_of(article)[0]
    start = claim.start + claim.text.index("Imports")

    # Surrounding whitespace is trimmed off the span.
    edited = workflow.edit_claim(
        claim,
        actor=reviewer,
        start=start - 1,
        end=claim.end + 1,
        expected_version=claim.version,
    )

    assert edited.text == "Imports fell 3 percent."
    assert edited.version == claim.version + 1
    assert 0 <= edited.score <= 1 and edited.reasons
    event = last_event()
    assert event.action == AuditAction.CLAIM_EDITED and event.claim_id == claim.pk
    assert event.data["before"]["text"] == LINES[0]
    assert event.data["after"] == {
        "start": edited.start,
        "end": edited.end,
        "text": edited.text,
    }
    assert_consistent(article)


@pytest.mark.parametrize(
    ("start", "end"), [(-1, 5), (5, 5), (10, 5), (0, 10**6), (0, "x")]
)
def test_edit_refuses_spans_outside_the_body(article, reviewer, start, end):
    claim = claims_of(article)[0]
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError):
        workflow.edit_claim(claim, actor=reviewer, start=start, end=end)

    assert AuditEvent.objects.count() == events
    assert_consistent(article)


def test_edit_refuses_overlap_with_another_claim(article, reviewer):
    first, second, _ = claims_of(article)

    with pytest.raises(ValidationError, match="overlaps claim #2"):
        workflow.edit_claim(first, actor=reviewer, start=first.start, end=second.end)


def test_edit_refuses_a_stale_version(article, reviewer):
    claim = claims_of(article)[1]
    workflow.edit_claim(claim, actor=reviewer, start=claim.start, end=claim.end - 1)

    with pytest.raises(workflow.Conflict):
        workflow.edit_claim(
            claim,
            actor=reviewer,
            start=claim.start + 1,
            end=claim.end,
            expected_version=claim.version,
        )


def test_a_reviewer_cannot_edit_a_claim_someone_else_took(
    article, reviewer, other_reviewer, editor
):
    claim = workflow.take_claim(claims_of(article)[0], actor=other_reviewer)

    with pytest.raises(PermissionDenied):
        workflow.edit_claim(claim, actor=reviewer, start=claim.start, end=claim.end - 1)
    # Editors may (they also assign).
    workflow.edit_claim(claim, actor=editor, start=claim.start, end=claim.end - 1)


def test_a_submitted_claim_is_no_longer_editable(reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    with pytest.raises(workflow.InvalidTransition):
        workflow.edit_claim(claim, actor=reviewer, start=claim.start, end=claim.end - 1)


# --- split, merge, add ---------------------------------------------------------------


def test_split_cuts_a_claim_in_two(article, reviewer):
    claim = claims_of(article)[0]
    at = claim.start + claim.text.index("Imports")

    first, second = workflow.split_claim(
        claim, actor=reviewer, at=at, expected_version=claim.version
    )

    assert first.text == "The ministry said exports rose 12 percent in 2025."
    assert second.text == "Imports fell 3 percent."
    assert (first.position, second.position) == (1, 2)
    assert second.state == ClaimState.OPEN and second.assignee is None
    assert [c.position for c in claims_of(article)] == [1, 2, 3, 4]
    event = last_event()
    assert event.action == AuditAction.CLAIM_SPLIT and event.claim_id == first.pk
    assert event.data["new_claim"] == second.pk
    assert_consistent(article)


@pytest.mark.parametrize("offset", [0, -1, 10**6])
def test_split_needs_a_point_inside_the_claim(article, reviewer, offset):
    claim = claims_of(article)[0]
    at = claim.end if offset == -1 else claim.start + offset

    with pytest.raises(ValidationError):
        workflow.split_claim(claim, actor=reviewer, at=at)
    assert Claim.objects.filter(article=article).count() == 3


def test_merge_joins_neighbours_and_dismisses_the_second(article, reviewer):
    first, second, third = claims_of(article)

    merged = workflow.merge_claims(
        first, second, actor=reviewer, expected_version=first.version
    )

    second.refresh_from_db()
    assert merged.text == article.body[first.start : second.end]
    assert second.state == ClaimState.DISMISSED
    assert second.dismissed_reason == f"merged into #{first.pk}"
    assert Claim.objects.filter(article=article).count() == 3  # nothing deleted
    event = last_event()
    assert event.action == AuditAction.CLAIMS_MERGED
    assert event.data["merged_claim"] == second.pk
    assert_consistent(article)


def test_merge_refuses_non_neighbours_and_other_articles(article, reviewer):
    first, _, third = claims_of(article)
    elsewhere = make_article(actor=reviewer).claims.first()

    with pytest.raises(ValidationError, match="neighbouring"):
        workflow.merge_claims(first, third, actor=reviewer)
    with pytest.raises(ValidationError, match="same article"):
        workflow.merge_claims(first, elsewhere, actor=reviewer)
    with pytest.raises(ValidationError):
        workflow.merge_claims(first, first, actor=reviewer)


def test_add_a_claim_from_a_selection(article, reviewer):
    officials = claims_of(article)[1]
    start = article.body.index("3,400 new rail wagons")
    workflow.edit_claim(officials, actor=reviewer, start=officials.start, end=start)

    added = workflow.add_claim(
        article, actor=reviewer, start=start - 1, end=officials.end + 1
    )

    assert added.added_by_hand
    assert added.text == "3,400 new rail wagons entered service last year."
    assert added.position == 3
    event = last_event()
    assert event.action == AuditAction.CLAIM_ADDED and event.claim_id == added.pk
    assert_consistent(article)


def test_add_refuses_text_that_is_already_a_claim(article, reviewer):
    claim = claims_of(article)[1]

    with pytest.raises(ValidationError, match="overlaps"):
        workflow.add_claim(article, actor=reviewer, start=claim.start, end=claim.end)


# --- over HTTP ----------------------------------------------------------------------


def test_edit_over_http_plain_redirects_and_htmx_gets_the_workspace(
    client, article, reviewer
):
    claim = claims_of(article)[0]
    client.force_login(reviewer)
    url = reverse("claim-edit", args=[claim.pk])

    plain = client.post(url, {"text": "Imports fell 3 percent.", "version": 1})
    claim.refresh_from_db()
    htmx = client.post(
        url, {"text": "Imports fell 3", "version": claim.version}, headers=HTMX
    )

    assert plain.status_code == 302
    assert plain["Location"].startswith(reverse("article-detail", args=[article.pk]))
    assert htmx.status_code == 200
    assert b"<html" not in htmx.content
    assert b'id="article-workspace"' in htmx.content
    assert "claim-changed" in htmx.headers.get("HX-Trigger", "")
    claim.refresh_from_db()
    assert claim.text == "Imports fell 3"
    assert_consistent(article)


def test_a_stale_edit_is_a_409_with_the_conflict_and_the_text_kept(
    client, article, reviewer, other_reviewer
):
    claim = claims_of(article)[0]
    workflow.edit_claim(
        claim, actor=other_reviewer, start=claim.start, end=claim.end - 1
    )
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-edit", args=[claim.pk]),
        {"text": "Imports fell 3 percent.", "version": 1},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this claim" in page
    assert "The claim now reads" in page
    assert ">Imports fell 3 percent.</textarea>" in page  # the user's text kept
    claim.refresh_from_db()
    assert claim.text == LINES[0][:-1]


def test_an_edit_with_words_not_in_the_article_is_a_400(client, article, reviewer):
    claim = claims_of(article)[0]
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-edit", args=[claim.pk]),
        {"text": "Words nobody wrote.", "version": claim.version},
    )

    assert response.status_code == 400
    assert "not in the article" in response.content.decode()
    assert ">Words nobody wrote.</textarea>" in response.content.decode()


def test_split_merge_add_over_http(client, article, reviewer):
    client.force_login(reviewer)
    first = claims_of(article)[0]

    split = client.post(
        reverse("claim-split", args=[first.pk]),
        {"second_starts": "Imports fell", "version": first.version},
    )
    first.refresh_from_db()
    second = claims_of(article)[1]
    merge = client.post(
        reverse("claim-merge", args=[first.pk]),
        {"other": second.pk, "version": first.version},
        headers=HTMX,
    )
    add = client.post(
        reverse("claim-add", args=[article.pk]),
        {"text": "Imports fell", "start": "", "end": ""},
    )

    assert split.status_code == 302 and merge.status_code == 200
    assert b"<html" not in merge.content
    # "Imports fell" is inside the merged claim now: adding it overlaps.
    assert add.status_code == 400 and "overlaps" in add.content.decode()
    actions = list(
        AuditEvent.objects.filter(article=article)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == [AuditAction.CLAIM_SPLIT, AuditAction.CLAIMS_MERGED]
    assert_consistent(article)


def test_add_over_http_with_offsets_from_a_selection(client, reviewer):
    article = make_article(actor=reviewer, lines=["Heading words", "Plain text here."])
    first = claims_of(article)[0]
    client.force_login(reviewer)
    workflow.edit_claim(first, actor=reviewer, start=0, end=7)
    start = article.body.index("words")

    response = client.post(
        reverse("claim-add", args=[article.pk]),
        {"start": start, "end": start + 5, "text": "words"},
        headers=HTMX,
    )

    assert response.status_code == 200 and b"<html" not in response.content
    added = article.claims.get(added_by_hand=True)
    assert added.text == "words"
    assert_consistent(article)


def test_merge_with_a_claim_of_another_article_is_a_404(client, article, reviewer):
    other = make_article(actor=reviewer).claims.first()
    claim = claims_of(article)[0]
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-merge", args=[claim.pk]),
        {"other": other.pk, "version": claim.version},
    )

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.CLAIMS_MERGED).exists()


def test_dismiss_and_restore_over_http(client, article, editor):
    claim = claims_of(article)[2]
    client.force_login(editor)

    dismissed = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {"reason": "Not a factual claim.", "version": claim.version},
        headers=HTMX,
    )
    claim.refresh_from_db()
    state_after_dismiss = claim.state
    restored = client.post(
        reverse("claim-restore", args=[claim.pk]), {"version": claim.version}
    )

    assert dismissed.status_code == 200 and b"<html" not in dismissed.content
    assert state_after_dismiss == ClaimState.DISMISSED
    assert restored.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN
    assert list(
        AuditEvent.objects.filter(claim=claim)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.CLAIM_DISMISSED, AuditAction.CLAIM_RESTORED]


def test_dismiss_needs_a_reason(client, article, editor):
    claim = claims_of(article)[2]
    client.force_login(editor)

    response = client.post(
        reverse("claim-dismiss", args=[claim.pk]), {"reason": "", "version": 1}
    )

    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN


@pytest.mark.parametrize(
    ("persona", "name", "data"),
    [
        ("reviewer", "claim-dismiss", {"reason": "no", "version": 1}),
        ("reviewer", "claim-restore", {"version": 1}),
        ("admin_user", "claim-edit", {"text": "Imports", "version": 1}),
        ("admin_user", "claim-split", {"second_starts": "Imports", "version": 1}),
        ("outsider", "claim-edit", {"text": "Imports", "version": 1}),
    ],
)
def test_wrong_role_is_a_403(client, article, request, persona, name, data):
    client.force_login(request.getfixturevalue(persona))
    claim = claims_of(article)[0]
    events = AuditEvent.objects.count()

    response = client.post(reverse(name, args=[claim.pk]), data)

    assert response.status_code == 403
    assert AuditEvent.objects.count() == events


def test_a_row_rule_refusal_over_http_is_a_403(
    client, article, reviewer, other_reviewer
):
    claim = workflow.take_claim(claims_of(article)[0], actor=other_reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-edit", args=[claim.pk]),
        {"text": "Imports fell", "version": claim.version},
    )

    assert response.status_code == 403
    assert "assigned to" in response.content.decode()


def test_the_article_page_shows_edit_tools_only_to_who_may_use_them(
    client, article, reviewer, admin_user
):
    url = reverse("article-detail", args=[article.pk])

    client.force_login(reviewer)
    as_reviewer = client.get(url).content.decode()
    client.force_login(admin_user)
    as_admin = client.get(url).content.decode()

    assert reverse("claim-edit", args=[claims_of(article)[0].pk]) in as_reviewer
    assert reverse("claim-dismiss", args=[claims_of(article)[0].pk]) not in as_reviewer
    assert reverse("claim-edit", args=[claims_of(article)[0].pk]) not in as_admin


def test_the_article_page_uses_the_same_queries_for_3_or_40_claims(
    client, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    used = []
    for n in (3, 40):
        article = make_article(
            actor=editor, lines=[f"Exports rose {i} percent in 2025." for i in range(n)]
        )

        with django_assert_max_num_queries(15) as queries:
            response = client.get(reverse("article-detail", args=[article.pk]))

        assert response.status_code == 200
        assert response.content.count(b'<mark class="claim tip"') == n
        used.append(len(queries))
    assert used[0] == used[1]
