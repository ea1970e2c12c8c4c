"""Claim matching's ranking core: pure, no database."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck import matching, semantic

CLAIMS = {
    "wage": "The city council raised the minimum wage to 15 dollars an hour.",
    "bridge": "The old railway bridge over the river was closed for repairs in May.",
    "vaccine": "A new vaccine cut hospital admissions for flu by half last winter.",
    "football": "The local football club lost its third match in a row on Sunday.",
    "ferry": "Ferry tickets to the island will cost twice as much from next year.",
}


@pytest.fixture(scope="module")
def matcher() -> matching.Matcher:
    return matching.Matcher.build(list(CLAIMS), list(CLAIMS.values()))


def test_a_paraphrase_ranks_above_unrelated_claims(matcher):
    [ranked] = matcher.top(["Hourly pay at the bottom was lifted to $15 by the city."])

    assert ranked[0].doc_id == "wage"
    assert ranked[0].score > ranked[1].score


def test_the_lexical_part_puts_the_document_sharing_rare_words_first():
    lexical = matching.Matcher.build(
        list(CLAIMS), list(CLAIMS.values()), semantic_weight=0.0
    )
    [ranked] = lexical.top(["railway bridge closed"], k=5)

    assert ranked[0].doc_id == "bridge"
    # No other claim shares a word, so nothing else scores at all.
    assert [m.doc_id for m in ranked] == ["bridge"]


def test_the_title_adds_words_to_the_lexical_side():
    plain = matching.Matcher.build(["a", "b"], ["Prices rose.", "Prices fell."])
    titled = matching.Matcher.build(
        ["a", "b"], ["Prices rose.", "Prices fell."], ["Bread", "Petrol costs"]
    )

    assert plain.lexical_scores(["petrol"]).max() == 0.0
    assert titled.lexical_scores(["petrol"])[0].tolist()[1] > 0.0


def test_scores_lie_between_zero_and_one_and_best_first(matcher):
    queries = [
        "The minimum wage went up to fifteen dollars.",
        "The minimum wage was raised to 15 dollars an hour by the city council.",
        "Flu vaccine halves hospital admissions",
        "completely unrelated words about astronomy and telescopes",
    ]
    for ranked in matcher.top(queries, k=5):
        scores = [m.score for m in ranked]
        assert all(0.0 < s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
    full = matcher.scores(queries)
    assert full.shape == (4, 5) and full.min() >= 0.0 and full.max() <= 1.0


def test_an_exact_copy_scores_higher_than_a_partial_match(matcher):
    exact, partial = matcher.top([CLAIMS["ferry"], "Ferry tickets"], k=1)

    assert exact[0].doc_id == partial[0].doc_id == "ferry"
    assert exact[0].score > partial[0].score


def test_k_and_min_score_limit_the_matches(matcher):
    query = ["The council raised the minimum wage for the football club."]

    assert len(matcher.top(query, k=2)[0]) == 2
    assert len(matcher.top(query, k=50)[0]) <= len(CLAIMS)
    assert matcher.top(query, k=0) == [[]]
    best = matcher.top(query, k=1)[0][0].score
    assert matcher.top(query, k=5, min_score=best + 1e-6) == [[]]
    assert [m.score for m in matcher.top(query, k=5, min_score=best)[0]] == [best]


def test_empty_corpus_and_empty_queries_give_empty_results(matcher):
    empty = matching.Matcher.build([], [])

    assert len(empty) == 0
    assert empty.top(["Anything at all."]) == [[]]
    assert matcher.top([]) == []
    assert matcher.top(["", "   "]) == [[], []]


def test_from_rows_with_stored_vectors_equals_build():
    ids, texts = list(CLAIMS), list(CLAIMS.values())
    titles = ["Wages", "Bridges", "Health", "Sport", "Transport"]
    stored = matching.embed(texts, titles)
    queries = ["Minimum wage rises to $15", "bridge repairs", "ferry prices"]

    built = matching.Matcher.build(ids, texts, titles)
    loaded = matching.Matcher.from_rows(ids, texts, stored, titles)

    assert built.top(queries, k=5) == loaded.top(queries, k=5)
    assert np.array_equal(built.scores(queries), loaded.scores(queries))


def test_precomputed_query_vectors_give_the_same_ranking(matcher):
    queries = ["Minimum wage rises to $15", "The bridge is shut."]

    assert matcher.top(queries, query_vectors=matching.embed(queries)) == (
        matcher.top(queries)
    )


def test_links_are_not_words():
    assert matching.tokenize("See https://example.com/a?b=1 and www.x.org now") == [
        "see",
        "now",
    ]
    assert matching.tokenize("The Mayor's 2 cats") == ["mayor", "2", "cats"]


def test_ids_are_returned_as_given_and_must_be_unique():
    ids = [101, ("archive", 7)]
    m = matching.Matcher.build(ids, ["Bread prices rose.", "Petrol prices fell."])

    assert m.top(["petrol prices"], k=1)[0][0].doc_id == ("archive", 7)
    with pytest.raises(ValueError, match="unique"):
        matching.Matcher.build([1, 1], ["One text.", "Another text."])
    with pytest.raises(ValueError, match="vectors"):
        matching.Matcher.from_rows([1], ["One text."], np.zeros((2, semantic.DIM)))


def test_the_shipped_constants_are_sane():
    assert 0.0 <= matching.SEMANTIC_WEIGHT <= 1.0
    assert 0.0 < matching.DEFAULT_MIN_SCORE < 1.0
    assert matching.K1 > 0 and 0.0 <= matching.B <= 1.0
