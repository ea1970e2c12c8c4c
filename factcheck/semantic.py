"""Sentence embeddings, offline: the one place that loads and runs the semantic model.

Responsibility: turn text into unit-length vectors whose dot product is meaning
similarity. Check-worthiness uses them as features; claim matching, near-duplicates
and search compare them.

The model is a static (model2vec) distillation of ``sentence-transformers/
all-MiniLM-L6-v2`` (Apache-2.0): one vector per tokenizer token; a text's vector is
the mean of its tokens' vectors, L2-normalised. It ships in ``factcheck/data/
semantic/`` (see ``docs/semantic-model.md`` for size and licence) and is rebuilt by
``bench/build_semantic_model.py``. Encoding needs numpy, tokenizers and model2vec;
no PyTorch, no network, no model hub.

Invariants: ``encode`` is deterministic and thread-safe; it returns float32 rows of
width ``DIM``, each of unit length, or all zeros for a text with no tokens. When the
artefact is missing, a lexical stand-in (hashed words and character trigrams) keeps
every caller working, ``is_semantic()`` says False and a warning is logged once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["DIM", "MODEL_DIR", "encode", "encode_one", "is_semantic", "model_info"]

MODEL_DIR = Path(__file__).resolve().parent / "data" / "semantic"
DIM = 256
# Tokens beyond this many are ignored: a claim is a sentence, and an article-length
# text's meaning is settled long before.
MAX_TOKENS = 256

log = logging.getLogger(__name__)
_lock = threading.Lock()
_model = None  # model2vec.StaticModel once loaded; False when the artefact is missing


def _load():  # noqa: ANN202 - model2vec's StaticModel, imported lazily
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            _model = _read_artefact(MODEL_DIR)
    return _model


def _read_artefact(folder: Path):  # noqa: ANN202
    """The StaticModel built from the files in ``folder``, or False if absent.

    Built from the arrays directly rather than ``StaticModel.from_pretrained``,
    which may reach for the Hugging Face hub.
    """
    vectors_path = folder / "vectors.npy"
    tokenizer_path = folder / "tokenizer.json"
    if not (vectors_path.exists() and tokenizer_path.exists()):
        log.warning(
            "semantic model missing in %s: using lexical vectors instead "
            "(rebuild with bench/build_semantic_model.py)",
            folder,
        )
        return False
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    vectors = np.load(vectors_path)
    if vectors.shape[1] != DIM:
        raise ValueError(f"{vectors_path}: width {vectors.shape[1]}, expected {DIM}")
    return StaticModel(
        vectors.astype(np.float32),
        Tokenizer.from_file(str(tokenizer_path)),
        normalize=True,
    )


def is_semantic() -> bool:
    """True when the shipped model is loaded, False on the lexical stand-in."""
    return _load() is not False


@lru_cache(maxsize=1)
def model_info() -> dict:
    """What is loaded: the artefact's own description plus its vectors' SHA-256."""
    if not is_semantic():
        return {"kind": "lexical fallback", "dim": DIM}
    info = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((MODEL_DIR / "vectors.npy").read_bytes()).hexdigest()
    return {**info, "vectors_sha256": digest}


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (zeros for an empty text)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _load()
    if model is False:
        vectors = np.vstack([_lexical(t) for t in texts])
    else:
        vectors = model.encode(
            list(texts), max_length=MAX_TOKENS, use_multiprocessing=False
        ).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def encode_one(text: str) -> np.ndarray:
    return encode([text])[0]


_WORD = re.compile(r"\w+")


def _lexical(text: str) -> np.ndarray:
    """Hashed word and character-trigram counts: shared words, not meaning."""
    vector = np.zeros(DIM, dtype=np.float32)
    words = _WORD.findall(text.lower())
    grams = words + [
        w[i : i + 3] for w in (f" {w} " for w in words) for i in range(len(w) - 2)
    ]
    for gram in grams:
        digest = hashlib.blake2b(gram.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest, "little") % DIM] += 1.0
    return vector
