"""Detail pages stay bounded: an article with hundreds of claims, a claim with a
long history.

The article page shows one window of claims (with their forms) at a time; the claim
workspace shows the newest events, notes and sources, with links to the rest. The
page costs the same number of queries as a small one, and its size is bounded by the
window (plus the article's body, itself bounded by the size limit).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factcheck import workflow
from factcheck.audit import AuditAction
from factcheck.models import Article, AuditEvent, Claim, ClaimState, Note, Source

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def big_article(actor, *, claims: int = 600) -> Article:
    """An article whose every line is a claim, through the real extraction."""
    lines = [
        f"Exports rose {i} percent in 2025, the ministry said." for i in range(claims)
    ]
    return make_article(actor=actor, lines=lines, title=f"{claims} claims")


def long_claim(
    reviewer, *, events: int = 2000, notes: int = 300, sources: int = 300
) -> Claim:
    """A claim in progress with a long past, bulk-inserted as an archive would be.

    The older events are ``old event <i>``, ``i`` growing into the past, so the
    oldest is ``old event <events - 1>``.
    """
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    long_ago = timezone.now() - timedelta(days=30)
    Note.objects.bulk_create(
        Note(claim=claim, author=reviewer, body=f"Note {i}: checked **figure {i}**.")
        for i in range(notes)
    )
    Source.objects.bulk_create(
        Source(
            claim=claim,
            url=f"https://stats.example/report/{i}",
            title=f"Report {i}",
            added_by=reviewer,
        )
        for i in range(sources)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=long_ago - timedelta(minutes=i),
            actor=reviewer,
            actor_label=reviewer.username,
            action=AuditAction.NOTE_ADDED,
            article_id=claim.article_id,
            claim=claim,
            summary=claim.text[:300],
            data={"reason": f"old event {i}"},
            prev_hash="0" * 64,
            hash=f"bulk-{claim.pk}-{i}",
        )
        for i in range(events)
    )
    return claim


def claims_of(article: Article) -> list[Claim]:
    return list(article.claims.order_by("start", "pk"))


def row_ids(html: str) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'<li id="claim-(\d+)" class="claim-row"', html)
    ]


def event_sentences(html: str) -> list[str]:
    return re.findall(r'<span class="sentence">([^<]*)</span>', html)


def older_link(html: str) -> str | None:
    found = re.search(r'<li id="timeline-more"[^>]*><a href="([^"#]*)', html)
    return found.group(1).replace("&amp;", "&") if found else None


# --- The article page -----------------------------------------------------------


def test_the_article_page_costs_the_same_for_3_or_600_claims(
    client, editor, django_assert_max_num_queries
):
    small, big = make_article(actor=editor), big_article(editor)
    client.force_login(editor)
    sizes, counts = [], []

    for article in (small, big):
        with django_assert_max_num_queries(15) as queries:
            response = client.get(reverse("article-detail", args=[article.pk]))
        assert response.status_code == 200
        sizes.append(len(response.content))
        counts.append(len(queries))

    assert counts[0] == counts[1]
    # 600 claims with every form would be ~2.5 MB; 50 rows, the body and its marks:
    assert sizes[1] < 400_000


def test_every_claim_is_marked_in_the_text_but_only_the_page_is_interactive(
    client, editor
):
    article = big_article(editor)
    claims = claims_of(article)
    client.force_login(editor)

    page = client.get(reverse("article-detail", args=[article.pk]), {"claims": 3})

    html = page.content.decode()
    assert row_ids(html) == [c.pk for c in claims[100:150]]
    assert html.count('<mark class="claim tip"') == 50
    assert html.count("data-claim=") == 600
    assert f'id="mark-{claims[120].pk}"' in html
    assert f'id="mark-{claims[0].pk}"' not in html
    assert 'title="#1, on page 1 of the claim list"' in html
    # One set of forms per claim shown, not per claim of the article.
    assert html.count('action="/claims/') == 4 * 50  # edit, split, merge, dismiss


def test_the_pages_reach_every_claim_once(client, reviewer):
    article = big_article(reviewer, claims=120)
    client.force_login(reviewer)
    url = reverse("article-detail", args=[article.pk])

    seen = [row_ids(client.get(url, {"claims": n}).content.decode()) for n in (1, 2, 3)]

    assert [len(ids) for ids in seen] == [50, 50, 20]
    assert sum(seen, []) == [c.pk for c in claims_of(article)]
    assert f'href="{url}?claims=2#claims-h"' in client.get(url).content.decode()


# (Digits beyond 64 bits never get here: the edge answers them with a 400.)
@pytest.mark.parametrize("junk", ["abc", "-1", "0", "999999999", "", "2.5"])
def test_a_page_number_that_is_not_one_shows_a_page(client, reviewer, junk):
    article = big_article(reviewer, claims=60)
    client.force_login(reviewer)

    response = client.get(
        reverse("article-detail", args=[article.pk]), {"claims": junk}
    )

    assert response.status_code == 200
    assert len(row_ids(response.content.decode())) in (50, 10)


def test_an_htmx_page_link_swaps_only_the_workspace(client, reviewer):
    article = big_article(reviewer, claims=120)
    client.force_login(reviewer)

    response = client.get(
        reverse("article-detail", args=[article.pk]),
        {"claims": 2},
        headers={**HTMX, "HX-Target": "article-workspace"},
    )

    html = response.content.decode()
    assert "<html" not in html and html.startswith('\n<div id="article-workspace"')
    assert row_ids(html) == [c.pk for c in claims_of(article)[50:100]]
    assert 'id="timeline"' not in html


def _post_on_page_3(client, article, editor, action):
    """One claim action on a claim of page 3 (rows 101-150); returns (claim, data)."""
    claims = claims_of(article)
    claim = claims[120]
    if action == "edit":
        return claim, {"text": claim.text.split(",")[0], "version": claim.version}
    if action == "split":
        return claim, {"second_starts": "the ministry said.", "version": claim.version}
    if action == "merge":
        # The last claim of page 3 merges with the first of page 4.
        claim = claims[149]
        return claim, {"other": claims[150].pk, "version": claim.version}
    if action == "dismiss":
        return claim, {"reason": "Not checkable.", "version": claim.version}
    if action == "restore":
        claim = workflow.dismiss_claim(claim, actor=editor, reason="Not checkable.")
        return claim, {"version": claim.version}
    raise AssertionError(action)


@pytest.mark.parametrize("action", ["edit", "split", "merge", "dismiss", "restore"])
def test_an_action_on_page_3_answers_with_page_3(client, editor, action):
    article = big_article(editor, claims=200)
    client.force_login(editor)
    claim, data = _post_on_page_3(client, article, editor, action)
    url = reverse(f"claim-{action}", args=[claim.pk])
    page_3 = reverse("article-detail", args=[article.pk]) + "?claims=3"

    htmx = client.post(url, data, headers=HTMX)

    html = htmx.content.decode()
    assert htmx.status_code == 200 and "<html" not in html
    assert "message success" in html
    assert f'<li id="claim-{claim.pk}" class="claim-row"' in html
    assert claim.pk in row_ids(html) and len(row_ids(html)) == 50
    assert htmx["HX-Replace-Url"] == page_3


def test_a_plain_action_on_page_3_redirects_to_page_3(client, editor):
    article = big_article(editor, claims=200)
    claim = claims_of(article)[120]
    client.force_login(editor)

    response = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {"reason": "Not checkable.", "version": claim.version},
    )

    detail = reverse("article-detail", args=[article.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{detail}?claims=3#claim-{claim.pk}"
    assert claim.pk in row_ids(client.get(response["Location"]).content.decode())


def test_the_merge_offered_on_a_page_reaches_the_next_page(client, editor):
    article = big_article(editor, claims=200)
    claims = claims_of(article)
    client.force_login(editor)

    html = client.get(
        reverse("article-detail", args=[article.pk]), {"claims": 3}
    ).content.decode()

    merge = reverse("claim-merge", args=[claims[149].pk])
    assert f'action="{merge}"' in html
    assert f'name="other" value="{claims[150].pk}"' in html
    assert "Merge with the next claim (#151)" in html


def test_a_claim_added_lands_on_its_page_and_a_refused_add_keeps_the_page(
    client, editor
):
    article = big_article(editor, claims=200)
    claim = claims_of(article)[120]
    freed = claim.text.index("the ministry")
    kept = len(claim.text.split(",")[0])
    workflow.edit_claim(claim, actor=editor, start=claim.start, end=claim.start + kept)
    client.force_login(editor)
    url = reverse("claim-add", args=[article.pk])
    selection = {"start": claim.start + freed, "end": claim.end}

    added = client.post(
        url, {**selection, "text": "the ministry said.", "claims": 1}, headers=HTMX
    )
    refused = client.post(
        url, {"text": "Words nobody wrote.", "claims": 2}, headers=HTMX
    )

    new = article.claims.get(added_by_hand=True)
    assert new.start > claim.start and new.text == "the ministry said."
    assert new.pk in row_ids(added.content.decode())
    assert added["HX-Replace-Url"].endswith("?claims=3")
    assert "not in the article" in refused.content.decode()
    assert row_ids(refused.content.decode()) == [
        c.pk for c in claims_of(article)[50:100]
    ]


def test_a_refused_action_on_page_3_shows_the_error_on_page_3(client, editor, reviewer):
    article = big_article(editor, claims=200)
    claim = claims_of(article)[120]
    workflow.edit_claim(claim, actor=reviewer, start=claim.start, end=claim.end - 1)
    client.force_login(editor)

    response = client.post(
        reverse("claim-edit", args=[claim.pk]),
        {"text": "Exports rose", "version": claim.version},  # a stale version
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert claim.pk in row_ids(html) and "The claim now reads" in html


# --- The claim workspace ----------------------------------------------------------


def test_the_claim_page_costs_the_same_for_a_new_or_a_long_claim(
    client, reviewer, django_assert_max_num_queries
):
    fresh = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    long = long_claim(reviewer)
    client.force_login(reviewer)
    counts, pages = [], []

    for claim in (fresh, long):
        with django_assert_max_num_queries(25) as queries:
            response = client.get(reverse("claim-detail", args=[claim.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
        pages.append(response.content.decode())

    assert counts[0] == counts[1]
    html = pages[1]
    assert len(html) < 60_000  # ~285 KB when it listed everything
    assert html.count('<li id="note-') == 20 and html.count('<li id="source-') == 20
    assert len(event_sentences(html)) == 20
    assert "Show all 300 notes" in html and "Show all 300 sources" in html
    # The newest are the ones shown, numbered where they stand in the whole list.
    assert "Note 299:" in html and "Note 279:" not in html
    assert '<ol class="notes" start="281">' in html


def test_show_all_lists_every_note_and_source_with_or_without_htmx(client, reviewer):
    claim = long_claim(reviewer, events=0)
    client.force_login(reviewer)
    url = reverse("claim-detail", args=[claim.pk])

    plain = client.get(url, {"notes": "all"}).content.decode()
    htmx = client.get(
        url, {"sources": "all"}, headers={**HTMX, "HX-Target": "claim-sources"}
    ).content.decode()

    assert plain.count('<li id="note-') == 300
    assert plain.count('<li id="source-') == 20  # the other list stays collapsed
    assert "<html" not in htmx and htmx.lstrip().startswith(
        '<section id="claim-sources"'
    )
    assert htmx.count('<li id="source-') == 300


def test_a_note_added_to_an_expanded_list_keeps_it_expanded(client, reviewer):
    claim = long_claim(reviewer, events=0, sources=0)
    client.force_login(reviewer)

    response = client.post(
        reverse("note-add", args=[claim.pk]),
        {"body": "One more.", "notes": "all"},
        headers=HTMX,
    )

    assert response.content.decode().count('<li id="note-') == 301


def test_older_events_reach_the_oldest_without_javascript(client, reviewer):
    claim = long_claim(reviewer, notes=0, sources=0)
    total = AuditEvent.objects.filter(claim=claim).count()
    client.force_login(reviewer)
    url, seen = reverse("claim-detail", args=[claim.pk]), []

    while url:
        html = client.get(url).content.decode()
        seen += event_sentences(html)
        url = older_link(html)

    assert len(seen) == total == 2000 + 1  # the bulk past, then "rae took the claim"
    assert len(set(seen)) == len(seen)
    assert seen[1].endswith("old event 0")
    assert seen[-1].endswith("old event 1999")


def test_older_events_load_in_place_with_htmx(
    client, reviewer, django_assert_max_num_queries
):
    claim = long_claim(reviewer, notes=0, sources=0)
    client.force_login(reviewer)
    url = reverse("claim-detail", args=[claim.pk])
    first = client.get(url).content.decode()

    # The session, the user and permissions, the claim, the window: no page around.
    with django_assert_max_num_queries(8):
        more = client.get(
            older_link(first), headers={**HTMX, "HX-Target": "timeline-more"}
        ).content.decode()

    assert "<html" not in more and "<section" not in more
    assert more.lstrip().startswith('<li class="event')
    assert len(event_sentences(more)) == 50
    assert 'id="timeline-more"' in more and 'hx-target="#timeline-more"' in more
    assert not set(event_sentences(more)) & set(event_sentences(first))


def test_the_article_timeline_pages_back_too(client, reviewer):
    claim = long_claim(reviewer, events=120, notes=0, sources=0)
    client.force_login(reviewer)
    url = reverse("article-detail", args=[claim.article_id]) + "?claims=1"
    seen = []

    while url:
        html = client.get(url).content.decode()
        seen += event_sentences(html)
        url = older_link(html)

    assert len(seen) == AuditEvent.objects.filter(article_id=claim.article_id).count()
    assert seen[-1].endswith("old event 119")


@pytest.mark.parametrize("junk", ["abc", "-5", "0", "1e3", "", " 7"])
def test_a_cursor_that_is_not_an_event_id_shows_the_newest(client, reviewer, junk):
    claim = long_claim(reviewer, events=30, notes=0, sources=0)
    client.force_login(reviewer)

    response = client.get(reverse("claim-detail", args=[claim.pk]), {"before": junk})

    assert response.status_code == 200
    assert len(event_sentences(response.content.decode())) == 20


@pytest.mark.parametrize("cursor", ["another claim's event", "no event"])
def test_a_cursor_from_elsewhere_reveals_nothing(client, reviewer, cursor):
    mine = long_claim(reviewer, events=5, notes=0, sources=0)
    other = long_claim(reviewer, events=5, notes=0, sources=0)
    theirs = AuditEvent.objects.filter(claim=other).order_by("-at").first()
    before = theirs.pk if cursor == "another claim's event" else 999_999_999_999
    client.force_login(reviewer)

    response = client.get(reverse("claim-detail", args=[mine.pk]), {"before": before})

    html = response.content.decode()
    assert response.status_code == 200
    assert "No older events." in html and event_sentences(html) == []
