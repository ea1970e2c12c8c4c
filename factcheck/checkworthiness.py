"""Check-worthiness of one sentence: a score in [0, 1], a kind, and the reasons.

Responsibility: decide how much a sentence looks like a checkable factual claim.
No Django import.

The score is one learned logistic regression over three kinds of input, trained
on the CheckThat! 2024 English train split by ``bench/train_checkworthiness.py``
(weights in ``factcheck/data/checkworthiness_model.json``):

1. what the sentence says in words: sublinear TF-IDF of word 1-2-grams (digits
   mapped to 0) and of each word's character 2-5-grams, L2-normalised;
2. what it means: its sentence embedding from ``factcheck.semantic``;
3. general cues of news and political speech (figures, dates, events,
   opinions...), defined as data in ``factcheck/data/cues.toml``: those marked
   ``feature`` (a measured gain on dev) are yes/no inputs; the others only
   describe the sentence (its kind, its reasons) and never change the score.

Nothing is set by hand: every weight, the regularisation and the threshold come
from the data (the threshold from the dev split only). The threshold is folded
into the intercept so that ``DEFAULT_THRESHOLD`` (0.5) is the tuned one.

Reasons are the cues that fire (feature cues on the side their learned weight
points to, descriptive cues in between), plus the model's own verdict when its
words or its meaning alone are clear. The kind
is named by the first firing cue that has one (file order), else "other".

Invariants: scoring is deterministic, ``0 <= score <= 1``, ``kind`` is one of
``KINDS`` and ``reasons`` is a non-empty tuple of plain-language phrases.
"""

from __future__ import annotations

import json
import math
import re
import threading
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from factcheck import semantic

__all__ = [
    "CUES_PATH",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "MODEL_PATH",
    "Assessment",
    "Cue",
    "Scorer",
    "cue_features",
    "default_scorer",
    "load_cues",
    "score",
    "score_many",
    "text_features",
]

DEFAULT_THRESHOLD = 0.5
DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "checkworthiness_model.json"
CUES_PATH = DATA / "cues.toml"

KINDS = (
    "statistic",
    "quantity",
    "attributed statement",
    "event",
    "historical",
    "comparison",
    "causal",
    "prediction",
    "opinion",
    "other",
)


@dataclass(frozen=True)
class Assessment:
    score: float
    kind: str
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------
# Features (shared with the training script: the same code computes them at
# training and at run time, so the shipped weights always fit).

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[$%€£]")
_DIGIT = re.compile(r"\d")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def text_features(sentence: str) -> tuple[dict[str, int], dict[str, int]]:
    """Counts of word 1-2-grams, and of each word's character 2-5-grams.

    Digits become 0. The two families are weighted and normalised apart, so
    the many character n-grams do not drown the words.
    """
    s = _DIGIT.sub("0", sentence.lower().translate(_QUOTES))
    words: dict[str, int] = {}
    for gram in _word_grams(s):
        words[gram] = words.get(gram, 0) + 1
    # Character n-grams of whitespace-separated words, padded with spaces as in
    # scikit-learn's "char_wb": they carry morphology and punctuation ("$0",
    # "0%", "n't ") that word tokens miss.
    chars: dict[str, int] = {}
    for word in s.split():
        padded = " " + word + " "
        length = len(padded)
        for n in (2, 3, 4, 5):
            for i in range(length - n + 1):
                key = padded[i : i + n]
                chars[key] = chars.get(key, 0) + 1
    return words, chars


@dataclass(frozen=True)
class Cue:
    name: str
    reason: str
    kind: str | None
    words: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    feature: bool  # an input of the model, or only a description (kind, reason)

    def fires(self, low: str, words: set[str]) -> bool:
        return not words.isdisjoint(self.words) or any(
            p.search(low) for p in self.patterns
        )


_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=4)
def load_cues(path: Path = CUES_PATH) -> tuple[Cue, ...]:
    """The cues of ``cues.toml``, in file order."""
    with path.open("rb") as fh:
        table = tomllib.load(fh)
    cues = []
    for entry in table["cue"]:
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"{path}: cue {entry['name']!r} has unknown kind {kind!r}")
        cues.append(
            Cue(
                name=entry["name"],
                reason=entry["reason"],
                kind=kind,
                words=frozenset(entry.get("words", ())),
                patterns=tuple(re.compile(p) for p in entry.get("patterns", ())),
                feature=bool(entry.get("feature", False)),
            )
        )
    return tuple(cues)


def _word_grams(s: str) -> list[str]:
    """Word unigrams and bigrams of a lower-cased, digit-mapped sentence."""
    tokens = _TOKEN.findall(s)
    return tokens + [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]


def firing_cues(sentence: str, cues: Sequence[Cue] | None = None) -> list[Cue]:
    low = sentence.strip().lower().translate(_QUOTES)
    words = set(_WORDS.findall(low))
    return [c for c in (cues or load_cues()) if c.fires(low, words)]


def _length_bucket(sentence: str) -> str:
    n = len(sentence.split())
    return (
        "len:<=5"
        if n <= 5
        else "len:6-10"
        if n <= 10
        else "len:11-20"
        if n <= 20
        else "len:>20"
    )


def cue_features(sentence: str, cues: Sequence[Cue] | None = None) -> list[str]:
    """Names of the yes/no model inputs that are on: firing feature cues and a
    length bucket."""
    return ["cue:" + c.name for c in firing_cues(sentence, cues) if c.feature] + [
        _length_bucket(sentence)
    ]


# --------------------------------------------------------------------------------
# The scorer

# A part of the model (words or meaning) whose own log-odds pass this is clear
# enough to be a reason on its own (p ~ 0.82).
_CLEAR = 1.5


class Scorer:
    """The learned model. Build once (the weights load in ~0.2 s) and reuse."""

    # Words seen so far -> their known character n-grams. Articles reuse a small
    # vocabulary, so most words are sliced and filtered only once per process.
    _WORD_CACHE_LIMIT = 200_000

    def __init__(self, model: dict[str, Any], cues: Sequence[Cue] | None = None):
        self.shift = float(model.get("shift", 0.0))
        self.bias = float(model["bias"]) + self.shift
        self.cue_weights = {k: float(v) for k, v in model["cues"].items()}
        self.cues = tuple(cues or load_cues())
        # Per family, the two products every lookup needs: weight x idf, and
        # idf^2 for the L2 norm of the TF-IDF vector.
        self.word_weight, self.word_idf2 = _products(model["words"])
        self.char_weight, self.char_idf2 = _products(model["chars"])
        self.embedding = np.asarray(model["embedding"], dtype=np.float32)
        self._word_grams: dict[str, tuple[tuple[str, ...], float, float]] = {}
        self._lock = threading.Lock()

    def _word_entry(self, word: str) -> tuple[tuple[str, ...], float, float]:
        """A word's in-vocabulary char n-grams and their summed products."""
        padded = " " + word + " "
        size = len(padded)
        weight = self.char_weight
        grams = tuple(
            g
            for n in (2, 3, 4, 5)
            for i in range(size - n + 1)
            if (g := padded[i : i + n]) in weight
        )
        entry = (
            grams,
            sum(map(weight.__getitem__, grams)),
            sum(map(self.char_idf2.__getitem__, grams)),
        )
        with self._lock:
            if len(self._word_grams) >= self._WORD_CACHE_LIMIT:
                self._word_grams.clear()
            self._word_grams[word] = entry
        return entry

    def words_logit(self, sentence: str) -> float:
        """The n-gram part: per family, sublinear TF-IDF, L2-normalised, dot
        the weights; the two families summed.

        Computes exactly what ``text_features`` + the weights define (a test
        checks it), organised for speed: dictionary lookups dominate, so each
        word's character n-grams are looked up once per process and summed as
        if every n-gram occurred once; the few that repeat within the sentence
        are then corrected to their sublinear ``1 + ln(count)`` weight.
        """
        s = _DIGIT.sub("0", sentence.lower().translate(_QUOTES))
        word_feats = [g for g in _word_grams(s) if g in self.word_weight]
        logit = _tfidf_dot(word_feats, self.word_weight, self.word_idf2)
        feats: list[str] = []
        dot = norm2 = 0.0
        cache = self._word_grams
        for word in s.split():
            found, word_dot, word_norm2 = cache.get(word) or self._word_entry(word)
            feats.extend(found)
            dot += word_dot
            norm2 += word_norm2
        return logit + _tfidf_dot(feats, self.char_weight, self.char_idf2, (dot, norm2))

    def assess_many(self, sentences: Sequence[str]) -> list[Assessment]:
        # The embedding weights only mean something for the semantic model they
        # were trained with; on the lexical stand-in that part is left out.
        if semantic.is_semantic():
            meanings = semantic.encode(sentences) @ self.embedding
        else:
            meanings = np.zeros(len(sentences), dtype=np.float32)
        return [
            self._assess(s, float(m)) for s, m in zip(sentences, meanings, strict=True)
        ]

    def _assess(self, sentence: str, meaning: float) -> Assessment:
        words = self.words_logit(sentence)
        fired = firing_cues(sentence, self.cues)
        logit = self.bias + words + meaning
        logit += self.cue_weights.get(_length_bucket(sentence), 0.0)
        # Reasons: what pushed the score up (strongest first), what only
        # describes the sentence, then what pushed it down.
        pos: list[tuple[float, str]] = []
        neg: list[tuple[float, str]] = []
        described: list[str] = []
        for cue in fired:
            if not cue.feature:
                described.append(cue.reason)
                continue
            w = self.cue_weights.get("cue:" + cue.name, 0.0)
            logit += w
            (pos if w > 0 else neg).append((abs(w), cue.reason))
        if words >= _CLEAR:
            pos.append((words, "wording typical of check-worthy claims"))
        elif words <= -_CLEAR:
            neg.append((-words, "wording typical of non-factual statements"))
        if meaning >= _CLEAR:
            pos.append((meaning, "close in meaning to check-worthy claims"))
        elif meaning <= -_CLEAR:
            neg.append((-meaning, "close in meaning to opinions and small talk"))
        reasons = [r for _, r in sorted(pos, reverse=True)] + described
        reasons += [r for _, r in sorted(neg, reverse=True)]
        kind = next((c.kind for c in fired if c.kind), "other")
        prob = 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, logit))))
        return Assessment(
            score=round(prob, 4),
            kind=kind,
            reasons=tuple(reasons) or ("no strong signal either way",),
        )


def _products(table: dict[str, list]) -> tuple[dict[str, float], dict[str, float]]:
    vocab, weights, idf = table["vocab"], table["weights"], table["idf"]
    return (
        {f: w * i for f, w, i in zip(vocab, weights, idf, strict=True)},
        {f: i * i for f, i in zip(vocab, idf, strict=True)},
    )


def _tfidf_dot(
    feats: list[str],
    weight: dict[str, float],
    idf2: dict[str, float],
    sums: tuple[float, float] | None = None,
) -> float:
    """Normalised TF-IDF . weights of in-vocabulary ``feats`` (repeats allowed).

    ``sums``: the dot and squared-norm sums over ``feats`` taken once each,
    when the caller already has them.
    """
    if sums is None:
        sums = sum(map(weight.__getitem__, feats)), sum(map(idf2.__getitem__, feats))
    dot, norm2 = sums
    counts = Counter(feats)
    if len(counts) != len(feats):
        log = math.log
        for feat, count in counts.items():
            if count > 1:
                tf = 1.0 + log(count)
                dot += (tf - count) * weight[feat]
                norm2 += (tf * tf - count) * idf2[feat]
    return dot / math.sqrt(norm2) if norm2 > 1e-12 else 0.0


_DEFAULT: Scorer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_scorer() -> Scorer:
    """The scorer with the shipped weights, loaded on first use."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            with MODEL_PATH.open(encoding="utf-8") as fh:
                _DEFAULT = Scorer(json.load(fh))
    return _DEFAULT


def score_many(sentences: Sequence[str]) -> list[Assessment]:
    """Assess many sentences at once (one embedding batch)."""
    return default_scorer().assess_many(sentences) if sentences else []


def score(sentence: str) -> Assessment:
    """Assess one sentence."""
    return score_many([sentence])[0]
