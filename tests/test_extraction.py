"""Structure, sentence spans and check-worthiness of the extractor (no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.checkworthiness import KINDS
from factcheck.extraction import SentenceDraft, extract
from factcheck.textclean import normalise

SAMPLE = Path(__file__).resolve().parents[1] / "seeds" / "000_cb454b6630152dc4.txt"
TITLE = "Xi Jinping Vows to Deepen China-Russia Relations in New Era of Cooperation"
HEADINGS = [
    "Historical Context: A Century of Shifting Tides in Sino-Russian Ties",
    "Economic Impact: Trade, Investment, and Industrial Synergies",
    "Regional Comparisons: Parallel Dynamics Across Eurasia",
    "Strategic Implications: Security, Technology, and Global Governance",
    "Policy Signals for 2026 and Beyond",
    "Regional Economic Context: Comparisons with Other Major Corridors",
    "Public Infrastructure and Industrial Capacity: Implications for Employers "
    "and Workers",
    "Environmental and Social Considerations",
    "Conclusion: A Cautiously Optimistic Path Forward",
]


@pytest.fixture(scope="module")
def body() -> str:
    return normalise(SAMPLE.read_text(encoding="utf-8")).body


@pytest.fixture(scope="module")
def drafts(body) -> list[SentenceDraft]:
    return extract(body)


def find(drafts: list[SentenceDraft], prefix: str) -> SentenceDraft:
    matches = [d for d in drafts if d.text.startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


def test_every_offset_is_exact(body, drafts):
    assert drafts
    previous_end = 0
    for i, d in enumerate(drafts):
        assert body[d.start : d.end] == d.text
        assert d.text == d.text.strip() and d.text
        assert d.position == i
        assert d.start >= previous_end  # in order, never overlapping
        previous_end = d.end
        assert 0.0 <= d.score <= 1.0
        assert d.reasons and all(isinstance(r, str) for r in d.reasons)


def test_whole_body_is_covered_except_list_markers(body, drafts):
    covered = [False] * len(body)
    for d in drafts:
        covered[d.start : d.end] = [True] * (d.end - d.start)
    leftover = "".join(ch for ch, c in zip(body, covered, strict=True) if not c)
    assert leftover.replace("-", "").strip() == ""
    assert leftover.count("-") == 8  # the eight "- " list markers


def test_title_and_headings_are_never_claims(drafts):
    title = drafts[0]
    assert (title.text, title.block, title.checkable) == (TITLE, "title", False)
    headings = [d for d in drafts if d.block == "heading"]
    assert [d.text for d in headings] == HEADINGS
    for d in [title, *headings]:
        assert d.checkable is False and d.score == 0.0 and d.kind == "heading"
    assert find(drafts, "Policy Signals").reasons == ("a heading is never a claim",)


def test_sentences_know_their_section(drafts):
    assert find(drafts, "Beijing").heading is None
    assert find(drafts, "Critics, however").heading == (
        "Strategic Implications: Security, Technology, and Global Governance"
    )
    assert find(drafts, "Officials indicate").heading == (
        "Policy Signals for 2026 and Beyond"
    )


def test_list_items_exclude_their_marker(body, drafts):
    items = [d for d in drafts if d.block == "list-item"]
    assert len(items) == 8
    for d in items:
        assert body[d.start - 2 : d.start] == "- "
        assert not d.text.startswith("-")
    assert items[0].text.startswith("Energy and commodities: Long-term contracts")


def test_sample_sentences_are_all_scored(drafts):
    sentences = [d for d in drafts if d.block in ("paragraph", "list-item")]
    assert len(sentences) == 56
    assert all(d.kind in KINDS and d.reasons for d in sentences)


def test_threshold_decides_checkable(body):
    everything = extract(body, threshold=0.0)
    assert all(d.checkable for d in everything if d.block not in ("title", "heading"))
    nothing = extract(body, threshold=1.01)
    assert not any(d.checkable for d in nothing)


def test_lines_mode_keeps_each_line_whole():
    body = (
        "Policy Signals for 2026 and Beyond\n"
        "  The economy grew 3% in 2019. Then it shrank.  \n"
        "\n"
        "- Unemployment fell to 4.1% last year.\n"
        "Officials said the plan will cost $2 billion"
    )
    drafts = extract(body, lines=True)
    assert [d.text for d in drafts] == [
        "Policy Signals for 2026 and Beyond",
        "The economy grew 3% in 2019. Then it shrank.",
        "- Unemployment fell to 4.1% last year.",
        "Officials said the plan will cost $2 billion",
    ]
    for d in drafts:
        assert body[d.start : d.end] == d.text
        assert d.block == "paragraph" and d.heading is None
        assert d.kind != "heading"


def test_soft_wrapped_paragraphs_are_joined_and_split_into_sentences():
    body = (
        "Port strike ends\n\n"
        "The union said on Monday that 4,000 members would return to work on\n"
        "Tuesday. The strike lasted 12 days.\n\n"
        "What the deal includes\n"
        "- A 6% pay rise over two\n"
        "  years for all members.\n"
    )
    drafts = extract(body)
    texts = [d.text for d in drafts]
    assert texts[0] == "Port strike ends" and drafts[0].block == "title"
    assert (
        "The union said on Monday that 4,000 members would return to work on\n"
        "Tuesday." in texts
    )
    assert "The strike lasted 12 days." in texts
    heading = find(drafts, "What the deal")
    assert heading.block == "heading"
    item = find(drafts, "A 6% pay rise")
    assert item.block == "list-item" and item.text.endswith("all members.")
    for d in drafts:
        assert body[d.start : d.end] == d.text


def test_empty_body_gives_no_drafts():
    assert extract("") == []
    assert extract("\n \n", lines=True) == []
