"""Sentence boundaries of the extractor against bare pysbd, on pySBD's 48 English
Golden Rules (``tests/data/golden_rules_en.json``, attribution in
``tests/data/README.md``).

Scoring follows pySBD's own benchmark (``benchmarks/benchmark_sbd_tools.py``):
a rule passes when the list of stripped sentences equals ``expected`` exactly.

* bare pysbd: ``pysbd.Segmenter(language="en", clean=False).segment(text)``;
* pipeline: ``[d.text for d in extract(text)]``, every draft in order (a line
  taken for a title or heading is one draft, so it must not swallow sentences).

Fair comparison: the pipeline leaves a list marker at the start of a line
outside the draft ("1. The first item" gives "The first item"), which is
wanted: a claim does not carry its bullet. So on both sides, and for both
segmenters, leading list markers are removed from every sentence before the
lists are compared. That hides no boundary: a cut after a marker still shows,
as an extra (empty) sentence.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from factcheck.extraction import SentenceDraft, extract

RULES = json.loads(
    (Path(__file__).parent / "data" / "golden_rules_en.json").read_text("utf-8")
)["rules"]
# Leading list markers, possibly nested ("• 9. "), unspaced after a bullet ("⁃9.").
MARKERS = re.compile(r"^(?:[-*+•‣◦⁃–—][ \t]*|(?:\d{1,3}|[a-z])(?:\.\)|[.)])[ \t]+)+")


def unmarked(sentences: list[str]) -> list[str]:
    return [MARKERS.sub("", s) for s in sentences]


@pytest.fixture(scope="module")
def segmenter():  # noqa: ANN201 - pysbd has no type hints
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pysbd's harmless escape warnings
        import pysbd

        return pysbd.Segmenter(language="en", clean=False)


def bare_passes(segmenter, rule: dict) -> bool:  # noqa: ANN001
    got = [s.strip() for s in segmenter.segment(rule["text"])]
    return unmarked(got) == unmarked(rule["expected"])


def checked_drafts(body: str) -> list[SentenceDraft]:
    drafts = extract(body)
    for d in drafts:
        assert body[d.start : d.end] == d.text and d.text == d.text.strip()
    return drafts


def pipeline_passes(rule: dict) -> bool:
    got = [d.text for d in checked_drafts(rule["text"])]
    return unmarked(got) == unmarked(rule["expected"])


def test_all_48_rules_are_loaded():
    assert [r["number"] for r in RULES] == list(range(1, 49))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r['number']:02d}")
def test_pipeline_passes_every_rule_bare_pysbd_passes(segmenter, rule):
    if bare_passes(segmenter, rule):
        got = [d.text for d in extract(rule["text"])]
        assert pipeline_passes(rule), (rule["name"], got, rule["expected"])


def test_pipeline_passes_at_least_as_many_rules_as_bare_pysbd(segmenter):
    bare = sum(bare_passes(segmenter, r) for r in RULES)
    ours = sum(pipeline_passes(r) for r in RULES)
    assert bare >= 47  # pySBD's published 97.9 %: the comparison is meaningful
    assert ours >= bare


def texts(body: str) -> list[str]:
    return [d.text for d in checked_drafts(body)]


def test_clock_time_opening_a_sentence_is_not_a_boundary():
    # pysbd alone cuts after "a.m." here.
    assert texts("At 5 a.m. Mr. Smith went to the bank. He left.") == [
        "At 5 a.m. Mr. Smith went to the bank.",
        "He left.",
    ]
    assert texts("By 10:30 p.m. Tuesday, polls had closed. Counting began.") == [
        "By 10:30 p.m. Tuesday, polls had closed.",
        "Counting began.",
    ]


def test_clock_time_ending_a_sentence_is_still_a_boundary():
    assert texts("She arrived at 6 p.m. Mr. Jones had gone.") == [
        "She arrived at 6 p.m.",
        "Mr. Jones had gone.",
    ]


def test_numbered_items_on_one_line_are_split_at_the_items():
    body = "1. Ballots are counted by hand 2. Results are posted online"
    drafts = checked_drafts(body)
    # The marker at the line start stays outside; the inner one is text.
    assert [d.text for d in drafts] == [
        "Ballots are counted by hand",
        "2. Results are posted online",
    ]
    assert {d.block for d in drafts} == {"list-item"}
    assert texts("1. Turnout rose. 2. Costs fell.") == [
        "Turnout rose.",
        "2. Costs fell.",
    ]
    assert texts("a. Turnout rose b. Costs fell") == ["Turnout rose", "b. Costs fell"]


def test_a_line_of_two_list_items_is_not_a_heading():
    body = "Council Notes\n\n⁃1. Budget vote delayed ⁃2. Council meets Friday"
    drafts = checked_drafts(body)
    assert [(d.text, d.block) for d in drafts] == [
        ("Council Notes", "title"),
        ("⁃1. Budget vote delayed", "paragraph"),
        ("⁃2. Council meets Friday", "paragraph"),
    ]
    assert all(d.kind != "heading" for d in drafts[1:])


def test_a_single_numbered_phrase_can_still_be_a_heading():
    drafts = checked_drafts("Council Notes\n\nPart 2. The Budget\n\nIt passed.")
    assert [(d.text, d.block) for d in drafts][1] == ("Part 2. The Budget", "heading")


def test_a_marker_alone_is_never_a_sentence():
    # pysbd alone gives "• 9." + "The first item".
    assert texts("• 9. The first item") == ["9. The first item"]
    assert texts("- a. first point\n- b. second point") == [
        "a. first point",
        "b. second point",
    ]


def test_an_initial_at_the_start_of_a_line_is_not_a_list_marker():
    drafts = checked_drafts("J. K. Rowling wrote the books.")
    assert [(d.text, d.block) for d in drafts] == [
        ("J. K. Rowling wrote the books.", "paragraph")
    ]


def test_offsets_are_exact_with_indented_markers_and_soft_wraps():
    body = (
        "Council Notes\n\n"
        "The budget passed at 9 p.m. on Monday.\n"
        "  2) At 5 a.m. Mr. Smith went to the bank 3) He left\n"
        "- The vote was\nclose. Turnout rose."
    )
    drafts = checked_drafts(body)  # asserts body[d.start:d.end] == d.text
    assert [d.text for d in drafts] == [
        "Council Notes",
        "The budget passed at 9 p.m. on Monday.",
        "At 5 a.m. Mr. Smith went to the bank",
        "3) He left",
        "The vote was\nclose.",
        "Turnout rose.",
    ]
    assert [d.position for d in drafts] == list(range(len(drafts)))
