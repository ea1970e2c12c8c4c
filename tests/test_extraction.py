"""Structure, sentence spans and check-worthiness of the extractor (no Django)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from factcheck import checkworthiness
from factcheck.checkworthiness import DEFAULT_THRESHOLD, KINDS
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


def test_list_introductions_score_low(drafts):
    for prefix in ("Analysts highlight several channels", "Key priorities"):
        d = find(drafts, prefix)
        assert d.text.endswith(":")
        assert d.score < DEFAULT_THRESHOLD and not d.checkable
        assert "introduces a list" in d.reasons


@pytest.mark.parametrize(
    "prefix",
    [
        "Critics, however, caution",
        "Proponents argue",
        "To understand the present moment",
        "In either case",
        "To place the bilateral relationship",
        "As 2026 approaches",  # a prediction
        "For businesses, deeper China-Russia cooperation may",  # speculation
    ],
)
def test_opinion_framing_and_speculation_are_not_checkable(drafts, prefix):
    assert not find(drafts, prefix).checkable


def test_opinion_kinds_and_reasons(drafts):
    critics = find(drafts, "Critics, however, caution")
    assert critics.kind == "opinion"
    assert "opinion or evaluative framing" in critics.reasons
    assert "rhetorical framing" in find(drafts, "To understand").reasons
    assert "predicts the future" in find(drafts, "As 2026 approaches").reasons


def test_lead_pledge_is_checkable(drafts):
    lead = find(drafts, "Beijing — Chinese President Xi Jinping has pledged")
    assert lead.checkable and lead.score >= 0.9
    assert lead.kind == "attributed statement"
    assert "names a person or organisation" in lead.reasons


def test_officials_announcing_2026_plans_is_an_attributed_claim(drafts):
    # Decision: checkable. Whether officials did say so, and what they
    # announced for 2026, is verifiable even though the content is a plan.
    d = find(drafts, "Officials indicate that 2026 will be")
    assert d.checkable and d.kind == "attributed statement"
    assert {"attributes a statement to officials", "contains a year"} <= set(d.reasons)
    assert "predicts the future" in d.reasons


def test_historical_sentences(drafts):
    d = find(drafts, "In the late 20th century")
    assert d.checkable and d.kind == "historical"
    d = find(drafts, "The early 2000s")
    assert d.checkable and "contains a year" in d.reasons


def test_sample_is_mostly_commentary(drafts):
    sentences = [d for d in drafts if d.block in ("paragraph", "list-item")]
    checkable = [d for d in sentences if d.checkable]
    assert len(sentences) == 56
    assert 4 <= len(checkable) <= 15
    assert all(d.kind in KINDS for d in sentences)


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


def test_scorer_contract():
    a = checkworthiness.score("Unemployment fell to 3.5% in 2019, officials said.")
    b = checkworthiness.score("What a wonderful evening this is!")
    assert 0 <= b.score < a.score <= 1
    assert a.kind in KINDS and b.kind in KINDS
    assert "contains a year" in a.reasons
    assert "attributes a statement to officials" in a.reasons


def test_fast_model_matches_feature_definition():
    """The optimised scorer computes exactly text_features . weights."""
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    table = dict(
        zip(
            model["vocab"],
            zip(model["weights"], model["idf"], strict=True),
            strict=True,
        )
    )
    scorer = checkworthiness.default_scorer()
    sentences = [
        "The the the cat sat on 2,000 mats in 1999 — twice!",
        "“It’s done,” she said.",
        "",
        "Trade between China and Russia reached $240 billion in 2023.",
    ]
    for sentence in sentences:
        dot = norm2 = 0.0
        for feat, count in checkworthiness.text_features(sentence).items():
            if feat in table:
                weight, idf = table[feat]
                value = (1 + math.log(count)) * idf
                dot += value * weight
                norm2 += value * value
        signals = checkworthiness.signals(sentence)
        expected = (
            model["bias"]
            + model["shift"]
            + (dot / math.sqrt(norm2) if norm2 else 0.0)
            + sum(
                model["hand"].get(h, 0.0)
                for h in checkworthiness.hand_features(signals)
            )
        )
        assert scorer.model_logit(sentence, signals) == pytest.approx(expected)
