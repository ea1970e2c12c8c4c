"""Sentence embeddings: the shipped model, its lexical stand-in, thread safety."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from factcheck import semantic


def test_vectors_are_unit_rows_of_the_model_width():
    vectors = semantic.encode(["Exports rose 12% in 2025.", "A second text."])
    assert vectors.shape == (2, semantic.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_and_empty_text():
    assert semantic.encode([]).shape == (0, semantic.DIM)
    assert not semantic.encode([""]).any()


def test_the_shipped_model_is_loaded_and_described():
    assert semantic.is_semantic()
    info = semantic.model_info()
    assert info["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert info["dim"] == semantic.DIM and len(info["vectors_sha256"]) == 64


def test_a_paraphrase_is_closer_than_a_text_on_another_subject():
    claim, paraphrase, other = semantic.encode(
        [
            "The government raised the minimum wage to 15 dollars an hour.",
            "Hourly pay at the bottom was lifted to $15 by the state.",
            "The football team lost its third match in a row.",
        ]
    )
    assert claim @ paraphrase > claim @ other + 0.1


def test_encoding_is_deterministic_and_thread_safe():
    texts = [f"Sentence number {i} about taxes and trade." for i in range(50)]
    expected = semantic.encode(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: semantic.encode(texts), range(8)))
    for result in results:
        assert np.array_equal(result, expected)


@pytest.fixture
def no_artefact(monkeypatch, tmp_path):
    monkeypatch.setattr(semantic, "MODEL_DIR", tmp_path)
    monkeypatch.setattr(semantic, "_model", None)
    semantic.model_info.cache_clear()
    yield
    semantic.model_info.cache_clear()


def test_without_the_artefact_a_lexical_stand_in_works_and_warns(no_artefact, caplog):
    with caplog.at_level(logging.WARNING, logger="factcheck.semantic"):
        a, b, c = semantic.encode(
            ["taxes rose sharply", "sharply rose the taxes", "a dog barked"]
        )
    assert "semantic model missing" in caplog.text
    assert not semantic.is_semantic()
    assert semantic.model_info()["kind"] == "lexical fallback"
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert a @ b > a @ c  # shared words still count


def test_the_scorer_still_works_on_the_stand_in(no_artefact):
    from factcheck import checkworthiness

    a = checkworthiness.score("Unemployment fell to 3.5% in 2019, officials said.")
    assert 0.0 <= a.score <= 1.0 and a.reasons
