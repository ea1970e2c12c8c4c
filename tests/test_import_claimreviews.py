"""``import_claimreviews``: other publishers' fact-checks into the "checked before?"
archive, from ClaimReview JSON-LD (our own feed too) or the verified-claims TSV;
idempotent, audited once per run, editors only, all or nothing."""

from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from factcheck import matching, workflow
from factcheck.audit import AuditAction
from factcheck.claimreview_import import CLAIM_MAX, parse
from factcheck.models import AuditEvent, ImportedFactCheck
from factcheck.roles import Role
from tests.factories import make_article, make_decided_article, make_user

pytestmark = pytest.mark.django_db

EARLIER = "The government raised the minimum wage to 15 dollars an hour in 2024."
RESTATED = "In 2024 the minimum hourly wage was lifted by the government to $15."


def review(claim: str = EARLIER, **changes) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/wage",
        "claimReviewed": claim,
        "name": "Did the minimum wage go up to $15?",
        "author": {
            "@type": "Organization",
            "name": "Checker",
            "url": "https://checker.example/",
        },
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly false"},
        "datePublished": "2024-03-05",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Senator"},
        },
    }
    return data | changes


def run(path, *args, username="ed"):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_claimreviews",
        str(path),
        "--as",
        username,
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def write_json(tmp_path, data, name="reviews.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def imported_events():
    return AuditEvent.objects.filter(action=AuditAction.FACTCHECKS_IMPORTED)


# --- Formats --------------------------------------------------------------------------


def test_one_claimreview_object_is_imported_with_its_labels(tmp_path, editor):
    path = write_json(tmp_path, review())

    out, _ = run(path)

    item = ImportedFactCheck.objects.get()
    assert (item.publisher, item.url) == ("Checker", "https://checker.example/wage")
    assert item.claim_text == EARLIER
    assert item.title == "Did the minimum wage go up to $15?"
    assert (item.claimant, item.rating) == ("A. Senator", "Mostly false")
    assert item.reviewed_on == date(2024, 3, 5)
    assert "1 new, 0 updated, 0 unchanged; 0 skipped" in out


def test_the_vector_is_the_one_the_matcher_compares(tmp_path, editor):
    run(write_json(tmp_path, review()))

    item = ImportedFactCheck.objects.get()
    stored = np.frombuffer(bytes(item.vector), dtype=np.float32)
    expected = matching.embed([item.claim_text], [item.title])[0]
    assert np.allclose(stored, expected)


def test_a_list_skips_and_counts_objects_of_other_types(tmp_path, editor):
    data = [
        review(),
        {"@type": "NewsArticle", "headline": "Not a review"},
        review("Exports doubled in 2025.", url="https://checker.example/exports"),
    ]

    _, err = run(write_json(tmp_path, data))

    assert ImportedFactCheck.objects.count() == 2
    assert "skipped item 2: not a ClaimReview (@type NewsArticle)" in err
    assert imported_events().get().data["skipped"] == 1


def test_a_graph_is_searched_for_claimreviews(tmp_path, editor):
    data = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "WebPage", "name": "Page"}, review()],
    }

    run(write_json(tmp_path, data))

    assert ImportedFactCheck.objects.get().claim_text == EARLIER


def test_json_lines_hold_one_review_per_line(tmp_path, editor):
    path = tmp_path / "reviews.jsonl"
    path.write_text(
        json.dumps(review())
        + "\n\n"
        + json.dumps(review("Exports doubled.", url="https://checker.example/x"))
        + "\n",
        encoding="utf-8",
    )

    run(path)

    assert ImportedFactCheck.objects.count() == 2


def test_our_own_claimreview_feed_imports(tmp_path, client, reviewer, editor):
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "true"],
        lines=["Exports rose 12 percent in 2025.", "The treaty was signed in 2001."],
        outlet="Daily Planet",
    )
    workflow.publish_article(article, actor=editor)
    feed = client.get(reverse("public-claimreview-feed"))
    assert feed.status_code == 200
    path = tmp_path / "claimreview.json"
    path.write_bytes(feed.content)

    run(path)

    items = list(ImportedFactCheck.objects.order_by("url"))
    assert [i.claim_text for i in items] == [
        "Exports rose 12 percent in 2025.",
        "The treaty was signed in 2001.",
    ]
    assert {i.publisher for i in items} == {settings.FACTCHECK["ORGANISATION_NAME"]}
    assert [i.url for i in items] == [
        f"http://testserver/fact-checks/{article.slug}/claims/{n}/" for n in (1, 2)
    ]
    assert [i.rating for i in items] == ["False", "True"]
    assert {i.claimant for i in items} == {"Daily Planet"}


TSV = (
    "\tvclaim\ttitle\n"
    "0\tObama released 122 detainees who re-engaged in terrorism.\tDid 122 return?\n"
    '1\t"A ""numbers"" meme\nspans two lines."\tDoes the meme add up?\n'
    "2\tThe moon is made of cheese.\t\n"
)


def test_the_verified_claims_tsv_layout(tmp_path, editor):
    path = tmp_path / "verified_claims.docs.tsv"
    path.write_text(TSV, encoding="utf-8")

    out, _ = run(path)

    items = list(ImportedFactCheck.objects.order_by("pk"))
    assert [i.claim_text for i in items] == [
        "Obama released 122 detainees who re-engaged in terrorism.",
        'A "numbers" meme spans two lines.',
        "The moon is made of cheese.",
    ]
    assert [i.title for i in items] == ["Did 122 return?", "Does the meme add up?", ""]
    assert {(i.publisher, i.url) for i in items} == {("Snopes", "")}
    assert "3 new" in out


def test_a_tsv_publisher_can_be_named(tmp_path, editor):
    path = tmp_path / "archive.tsv"
    path.write_text(TSV, encoding="utf-8")

    run(path, "--publisher", "PolitiFact")

    assert set(ImportedFactCheck.objects.values_list("publisher", flat=True)) == {
        "PolitiFact"
    }


def test_fields_are_cleaned_not_trusted(tmp_path, editor):
    data = [
        review(url="javascript:alert(1)", datePublished="2024-03-05T10:00:00Z"),
        review("Second claim.", url="ftp://x.example/", datePublished="last week"),
        review("x" * (CLAIM_MAX + 1)),
        review("Third claim.", author={"@type": "Organization"}),
    ]

    _, err = run(write_json(tmp_path, data))

    rows = list(ImportedFactCheck.objects.order_by("pk"))
    assert [(r.url, r.reviewed_on) for r in rows] == [
        ("", date(2024, 3, 5)),
        ("", None),
    ]
    assert "skipped item 3: the claim is over 2,000 characters" in err
    assert "skipped item 4: no publisher (author.name)" in err


# --- Idempotency ----------------------------------------------------------------------


def test_importing_again_updates_instead_of_duplicating(tmp_path, editor):
    path = write_json(tmp_path, [review(), review("Exports doubled.", url="")])
    run(path)
    first = {i.key: i.pk for i in ImportedFactCheck.objects.all()}

    out, _ = run(path)
    assert "0 new, 0 updated, 2 unchanged" in out

    changed = review(reviewRating={"@type": "Rating", "alternateName": "False"})
    write_json(tmp_path, [changed, review("Exports doubled.", url="")])
    out, _ = run(path)

    assert "0 new, 1 updated, 1 unchanged" in out
    assert {i.key: i.pk for i in ImportedFactCheck.objects.all()} == first
    assert ImportedFactCheck.objects.get(url=review()["url"]).rating == "False"
    counts = [
        (e.data["new"], e.data["updated"]) for e in imported_events().order_by("pk")
    ]
    assert counts == [(2, 0), (0, 0), (0, 1)]


def test_a_repeated_item_in_one_file_is_imported_once(tmp_path, editor):
    _, err = run(write_json(tmp_path, [review(), review()]))

    assert ImportedFactCheck.objects.count() == 1
    assert "skipped item 2: the same fact-check as item 1" in err


# --- The audit trail and who may import -----------------------------------------------


def test_one_audit_event_with_the_counts_and_the_file(tmp_path, editor):
    data = [review(), {"@type": "Person", "name": "X"}, review(claimReviewed="")]

    run(write_json(tmp_path, data, name="partner-feed.json"))

    event = imported_events().get()
    assert event.actor == editor
    assert event.data == {
        "file": "partner-feed.json",
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 2,
        "publishers": ["Checker"],
    }


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_only_editors_import(tmp_path, role):
    make_user(role=role, username="someone")

    with pytest.raises(CommandError, match="may not import"):
        run(write_json(tmp_path, review()), username="someone")

    assert not ImportedFactCheck.objects.exists()
    assert not imported_events().exists()


def test_the_workflow_refuses_a_reviewer_too(reviewer):
    items, _ = parse(json.dumps(review()))

    with pytest.raises(PermissionDenied):
        workflow.import_fact_checks(items, actor=reviewer)

    assert not ImportedFactCheck.objects.exists()


# --- Bad input: one clear line, nothing written ---------------------------------------


LATIN = "\tvclaim\ttitle\n0\tcaf\xe9\t\n".encode("latin-1")
UNTYPED = json.dumps([review(claimReviewed="")]).encode()
BAD = {
    "empty": ("empty.json", b"", "is empty"),
    "blank": ("blank.tsv", b"  \n\n", "is empty"),
    "binary": ("data.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "looks binary"),
    "undecodable": ("latin.tsv", LATIN, "not UTF-8"),
    "malformed json": ("bad.json", b'{"@type": "ClaimReview", ', "not valid JSON"),
    "bad json lines": ("bad.jsonl", b'{"a": 1}\n{"b": \n', "not valid JSON"),
    "no claimreview": ("page.json", b'{"@type": "WebPage"}', "no ClaimReview"),
    "wrong tsv header": ("q.tsv", b"id\ttext\n1\thi\n", "not a TSV with the header"),
    "header only": ("archive.tsv", b"\tvclaim\ttitle\n", "no rows"),
    "malformed tsv": ("q.tsv", b'\tvclaim\ttitle\n1\t"open quote\n', "malformed TSV"),
    "all items invalid": ("r.json", UNTYPED, "Nothing to import"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_clearly_and_writes_nothing(tmp_path, editor, case):
    name, content, message = BAD[case]
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as refused:
        run(path)

    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert refused.value.returncode != 0
    assert not ImportedFactCheck.objects.exists()
    assert not imported_events().exists()


def test_a_missing_file_is_refused(tmp_path, editor):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.json")


def test_an_unknown_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        run(write_json(tmp_path, review()), username="ghost")


# --- Progress -------------------------------------------------------------------------


def test_progress_is_drawn_on_stderr_and_can_be_silenced(tmp_path, editor):
    path = write_json(tmp_path, review())

    _, err = run(path)
    assert "\r[" in err and "1/1 fact-checks" in err

    _, err = run(path, "--no-progress")
    assert "[" not in err

    out, err = run(path, "--verbosity", "0")
    assert out == "" and err == ""


# --- Checked before? ------------------------------------------------------------------


def test_an_imported_check_is_suggested_for_a_restated_claim(tmp_path, editor):
    run(write_json(tmp_path, review()))

    claim = make_article(lines=[RESTATED], title="Later story").claims.get()

    match = claim.matches.get()
    assert match.imported == ImportedFactCheck.objects.get()
    assert match.earlier is None and 0 < match.score <= 1


def test_a_changed_reimport_refreshes_the_checked_before_index(tmp_path, editor):
    from factcheck import checked_before

    path = tmp_path / "one.json"
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "The bridge toll doubled in 2023.",
        "url": "https://checks.example/toll",
        "author": {"@type": "Organization", "name": "Checks"},
    }
    path.write_text(json.dumps(review), encoding="utf-8")
    call_command(
        "import_claimreviews", str(path), "--as", editor.username, "--no-progress"
    )
    before = checked_before._signature()

    review["name"] = "Toll check, revised"
    path.write_text(json.dumps(review), encoding="utf-8")
    call_command(
        "import_claimreviews", str(path), "--as", editor.username, "--no-progress"
    )

    assert checked_before._signature() != before
