"""The check-worthiness scorer, on sentences written for these tests (no Django)."""

from __future__ import annotations

import json
import math

import pytest

from factcheck import checkworthiness, semantic
from factcheck.checkworthiness import DEFAULT_THRESHOLD, KINDS


def score(sentence: str) -> checkworthiness.Assessment:
    return checkworthiness.score(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Unemployment fell to 3.5 percent in 2019, the labour ministry said.",
        "The city council voted 7 to 2 on Tuesday to close the Elm Street depot.",
        "Crime in the county doubled between 2010 and 2020.",
        "The company cut 4,000 jobs last year.",
    ],
)
def test_specific_factual_statements_are_checkable(sentence):
    assert score(sentence).score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "sentence",
    [
        "Thank you all for coming tonight.",
        "I think we should all be a little kinder to each other.",
        "What a wonderful evening this is!",
        "Let me answer that question.",
    ],
)
def test_courtesies_and_opinions_are_not_checkable(sentence):
    assert score(sentence).score < DEFAULT_THRESHOLD


def test_a_fact_outscores_an_opinion_on_the_same_subject():
    fact = score("Inflation rose to 9.1 percent in June, the highest in 40 years.")
    opinion = score("I believe inflation is the worst thing about this economy.")
    assert fact.score > opinion.score


def test_reasons_name_the_cues_that_fire():
    a = score("Unemployment fell to 3.5% in 2019, officials said.")
    assert {"contains a year", "attributes a statement to a source"} <= set(a.reasons)
    assert "contains a statistic" in a.reasons
    b = score("Maybe the plan could work.")
    assert "speculative wording (may, could)" in b.reasons


def test_kind_follows_the_first_firing_cue():
    assert score("Inflation rose 4% last year.").kind == "statistic"
    assert score("Will the council vote next week?").kind == "other"
    assert score("Our plan has three goals:").kind == "other"
    assert score("The senator said the bridge cost too much.").kind == (
        "attributed statement"
    )
    assert score("The treaty was signed in the 1990s.").kind == "historical"


def test_contract_holds_for_odd_input():
    for sentence in ["", "   ", "?", "1", "a" * 5000, "🙂 🙂", "<script>x</script>"]:
        a = score(sentence)
        assert 0.0 <= a.score <= 1.0
        assert a.kind in KINDS
        assert a.reasons and all(isinstance(r, str) and r for r in a.reasons)


def test_scoring_many_equals_scoring_one_by_one():
    sentences = ["Exports rose 12% in 2025.", "Hello there.", "We will win."]
    assert checkworthiness.score_many(sentences) == [score(s) for s in sentences]
    assert checkworthiness.score_many([]) == []


def test_every_shipped_cue_loads_and_has_a_learned_weight():
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    cues = checkworthiness.load_cues()
    assert len({c.name for c in cues}) == len(cues)
    for cue in cues:
        assert cue.kind is None or cue.kind in KINDS
        assert cue.words or cue.patterns
        # Feature cues have a learned weight; descriptive ones never score.
        assert ("cue:" + cue.name in model["cues"]) is cue.feature
    assert any(c.feature for c in cues) and not all(c.feature for c in cues)


def test_descriptive_cues_give_reasons_but_never_change_the_score():
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    sentence = "Unemployment fell to 3.5% in 2019, officials said."
    cues = checkworthiness.load_cues()
    features_only = [c for c in cues if c.feature]
    with_all = checkworthiness.Scorer(model, cues).assess_many([sentence])[0]
    bare = checkworthiness.Scorer(model, features_only).assess_many([sentence])[0]
    assert with_all.score == bare.score
    assert "contains a year" in with_all.reasons
    assert "contains a year" not in bare.reasons


def test_a_cue_with_an_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "cues.toml"
    path.write_text(
        '[[cue]]\nname = "x"\nreason = "r"\nwords = ["a"]\nkind = "rumour"\n'
    )
    with pytest.raises(ValueError, match="unknown kind"):
        checkworthiness.load_cues(path)


def test_cues_match_words_and_patterns_case_insensitively(tmp_path):
    path = tmp_path / "cues.toml"
    path.write_text(
        '[[cue]]\nname = "money"\nreason = "money"\npatterns = [\'\\$\\d\']\n'
        "feature = true\n"
        '[[cue]]\nname = "said"\nreason = "said"\nwords = ["said"]\n'
        "feature = true\n"
        '[[cue]]\nname = "a"\nreason = "describes"\nwords = ["it"]\n'
    )
    cues = checkworthiness.load_cues(path)
    assert checkworthiness.cue_features("She SAID it cost $5.", cues) == [
        "cue:money",
        "cue:said",
        "len:<=5",
    ]
    assert checkworthiness.cue_features("Nothing here at all.", cues) == ["len:<=5"]


def test_fast_word_part_matches_the_feature_definition():
    """The optimised n-gram scorer computes exactly text_features . weights:
    per family, sublinear TF-IDF, L2-normalised, dot the weights."""
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    tables = [
        dict(
            zip(
                model[family]["vocab"],
                zip(model[family]["weights"], model[family]["idf"], strict=True),
                strict=True,
            )
        )
        for family in ("words", "chars")
    ]
    scorer = checkworthiness.default_scorer()
    for sentence in [
        "The the the cat sat on 2,000 mats in 1999 — twice!",
        "“It’s done,” she said.",
        "",
        "Trade between the two countries reached $240 billion in 2023.",
    ]:
        expected = 0.0
        for table, counts in zip(
            tables, checkworthiness.text_features(sentence), strict=True
        ):
            dot = norm2 = 0.0
            for feat, count in counts.items():
                if feat in table:
                    weight, idf = table[feat]
                    value = (1 + math.log(count)) * idf
                    dot += value * weight
                    norm2 += value * value
            expected += dot / math.sqrt(norm2) if norm2 else 0.0
        assert scorer.words_logit(sentence) == pytest.approx(expected)


def test_whole_score_is_the_sum_of_its_parts():
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    scorer = checkworthiness.default_scorer()
    sentence = "The minister said exports rose 12% in 2025."
    logit = (
        model["bias"]
        + model["shift"]
        + scorer.words_logit(sentence)
        + float(semantic.encode_one(sentence) @ scorer.embedding)
        + sum(model["cues"][f] for f in checkworthiness.cue_features(sentence))
    )
    assert score(sentence).score == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-4)


def test_the_threshold_was_chosen_on_dev_and_folded_into_the_intercept():
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    tuned = model["tuned_threshold"]
    assert 0 < tuned < 1
    assert model["shift"] == pytest.approx(-math.log(tuned / (1 - tuned)), abs=1e-3)
    assert "dev" in model["tuned_on"] and "dev-test" not in model["tuned_on"]
    assert model["semantic_model"] == semantic.model_info()["vectors_sha256"]
