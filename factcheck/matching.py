"""Claim matching ("checked before?"): rank stored claims against new texts.

Responsibility: given a corpus of documents (earlier claims with an approved
verdict, an archive of other fact-checkers' claims) and some query texts, say
which documents most likely state the same claim, with a similarity in [0, 1].
Pure: no Django, no database. The desk builds a ``Matcher`` from stored rows
(``Matcher.from_rows``, vectors computed at write time by ``embed``);
``manage.py match_claims`` and the benches build one from a TSV
(``Matcher.build``, which encodes). Both take the same code path from there.

Two scores per (query, document), combined by a weighted sum:

- lexical: Okapi BM25 over the document's text and title, divided by the query's
  own ceiling (the score a document would reach with every query word repeated
  without end: sum of idf * (k1 + 1) over the query's words the corpus knows), so
  it lies in [0, 1] and means the same for every query;
- semantic: cosine of the ``embed`` vectors (``semantic.encode`` of the text, its
  title appended when there is one, links removed), clipped to [0, 1].

``score = SEMANTIC_WEIGHT * semantic + (1 - SEMANTIC_WEIGHT) * lexical``, in
[0, 1] and comparable across queries, so one threshold (``DEFAULT_MIN_SCORE``)
decides "show as checked before". On the CLEF-2020 tweets the static model alone
is far weaker than BM25 (MAP@5 0.45 against 0.83), so it gets a small weight and
mostly breaks BM25's near-ties.

Speed: the corpus is held as an inverted index (postings as flat numpy arrays,
BM25 weights precomputed) and a float32 vector matrix. A batch of queries costs
one ``bincount`` over the postings of its words and one matrix product, never a
Python loop over documents. Figures: ``bench/matching_speed.py``; quality:
``bench/matching_quality.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import semantic

__all__ = [
    "B",
    "DEFAULT_MIN_SCORE",
    "K1",
    "SEMANTIC_WEIGHT",
    "Match",
    "Matcher",
    "embed",
    "strip_links",
    "tokenize",
]

# Constants chosen by ``bench/matching_quality.py --tune`` (grid search for the
# best MAP@5 on the CLEF-2020 CheckThat! 2A *train* split; dev only checked them).
# The BM25 grid is flat (train MAP@5 0.824-0.830 over k1 0.6-2, b 0.3-1).
K1 = 2.0  # BM25 term-frequency saturation: chosen on train
B = 0.3  # BM25 length normalisation: chosen on train
SEMANTIC_WEIGHT = 0.075  # share of the cosine in the combined score: chosen on train
# Display threshold ("show as checked before"): chosen on train as the lowest
# score (0.01 steps) at which the shown top match is right for at least 85% of
# the train queries shown one; dev precision and recall: the quality bench.
# The lexical part is relative to the query's own words, so a long query (a
# tweet, a paragraph) scores lower than a one-sentence claim would.
DEFAULT_MIN_SCORE = 0.15

_WORD = re.compile(r"[^\W_]+")
# Links say where a text was posted, not what it claims; both scores ignore them.
_LINK = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w.-]+\.(?:com|org|net)/\S*")
# A small general English stop-word list: function words carry no claim.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during
    each few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just me more most my myself no nor
    not of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves
    """.split()
)


def embed(texts: Sequence[str], titles: Sequence[str] | None = None) -> np.ndarray:
    """The vectors the matcher compares: ``semantic.encode`` of each text (with its
    title after it, when given), links removed. Store these for ``from_rows``;
    queries go through the same function."""
    if titles is not None:
        texts = [f"{t} {title}" for t, title in zip(texts, titles, strict=True)]
    return semantic.encode([strip_links(t) for t in texts])


class Match(NamedTuple):
    doc_id: object
    score: float


def strip_links(text: str) -> str:
    return _LINK.sub(" ", text)


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens, links, stop words and single letters dropped."""
    return [
        w
        for w in _WORD.findall(strip_links(text).lower())
        if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())
    ]


class Matcher:
    """An indexed corpus that ranks its documents for query texts.

    ``ids`` are opaque and unique (returned as given); ``texts`` are the claims;
    ``titles`` (optional) add words to the lexical side; ``vectors`` are the rows
    of ``embed(texts, titles)`` (unit length, width ``semantic.DIM``), computed
    once when a document is stored.
    """

    def __init__(
        self,
        ids: Sequence,
        texts: Sequence[str],
        vectors: np.ndarray,
        titles: Sequence[str] | None = None,
        *,
        k1: float = K1,
        b: float = B,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ) -> None:
        ids = list(ids)
        n = len(ids)
        if len(texts) != n or (titles is not None and len(titles) != n):
            raise ValueError("ids, texts and titles must have the same length")
        if len(set(ids)) != n:
            raise ValueError("document ids must be unique")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, semantic.DIM)
        if vectors.shape[0] != n:
            raise ValueError(f"{vectors.shape[0]} vectors for {n} documents")
        if not 0.0 <= semantic_weight <= 1.0:
            raise ValueError("semantic_weight must be between 0 and 1")
        self.ids = ids
        self.vectors = np.ascontiguousarray(vectors)
        self.k1, self.b, self.semantic_weight = k1, b, semantic_weight
        docs = [
            tokenize(t if titles is None else f"{t} {titles[i]}")
            for i, t in enumerate(texts)
        ]
        self._index(docs)

    @classmethod
    def from_rows(
        cls,
        ids: Sequence,
        texts: Sequence[str],
        vectors: np.ndarray,
        titles: Sequence[str] | None = None,
        **options,
    ) -> Matcher:
        """A matcher over stored rows whose vectors are already computed."""
        return cls(ids, texts, vectors, titles, **options)

    @classmethod
    def build(
        cls,
        ids: Sequence,
        texts: Sequence[str],
        titles: Sequence[str] | None = None,
        **options,
    ) -> Matcher:
        """A matcher over texts, encoding them with ``embed(texts, titles)``."""
        return cls(ids, texts, embed(texts, titles), titles, **options)

    def __len__(self) -> int:
        return len(self.ids)

    # -- index ---------------------------------------------------------------

    def _index(self, docs: list[list[str]]) -> None:
        """Postings grouped by term: ``_docs[_start[t]:_start[t + 1]]`` and the
        BM25 weight of term t in each of those documents."""
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        for d, words in enumerate(docs):
            for w in words:
                term_ids.append(vocab.setdefault(w, len(vocab)))
            doc_ids.extend([d] * len(words))
        self._vocab = vocab
        n_docs, n_terms = len(docs), len(vocab)
        terms = np.asarray(term_ids, dtype=np.int64)
        owners = np.asarray(doc_ids, dtype=np.int64)
        # One posting per distinct (term, document) pair, with its count.
        keys, tf = np.unique(terms * max(n_docs, 1) + owners, return_counts=True)
        post_term, post_doc = np.divmod(keys, max(n_docs, 1))
        df = np.bincount(post_term, minlength=n_terms)
        self._idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.bincount(owners, minlength=n_docs).astype(np.float64)
        avg = lengths.mean() if n_docs and lengths.mean() > 0 else 1.0
        norm = self.k1 * (1.0 - self.b + self.b * lengths[post_doc] / avg)
        self._weights = (
            self._idf[post_term] * tf * (self.k1 + 1.0) / (tf + norm)
        ).astype(np.float32)
        self._docs = post_doc.astype(np.int32)
        self._start = np.concatenate(([0], np.cumsum(df))).astype(np.int64)

    # -- scores --------------------------------------------------------------

    def lexical_scores(self, query_texts: Sequence[str]) -> np.ndarray:
        """BM25 divided by each query's ceiling: (queries, documents) in [0, 1]."""
        n_docs = len(self.ids)
        out = np.zeros((len(query_texts), n_docs), dtype=np.float32)
        if not n_docs:
            return out
        slots, weights, ceilings = [], [], np.zeros(len(query_texts))
        for q, text in enumerate(query_texts):
            terms = {self._vocab.get(w, -1) for w in tokenize(text)}
            terms.discard(-1)
            # Words the corpus lacks cannot score; they do not lower the ceiling
            # either, so a query padded with unknown words is not penalised.
            for t in terms:
                lo, hi = self._start[t], self._start[t + 1]
                slots.append(self._docs[lo:hi].astype(np.int64) + q * n_docs)
                weights.append(self._weights[lo:hi])
                ceilings[q] += self._idf[t] * (self.k1 + 1.0)
        if slots:
            flat = np.bincount(
                np.concatenate(slots),
                weights=np.concatenate(weights),
                minlength=out.size,
            )
            out[:] = flat.reshape(out.shape)
        np.divide(out, ceilings[:, None], out=out, where=ceilings[:, None] > 0)
        return out

    def semantic_scores(
        self, query_texts: Sequence[str], query_vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """Cosine of the vectors, clipped to [0, 1]: (queries, documents)."""
        if query_vectors is None:
            query_vectors = embed(query_texts)
        query_vectors = np.asarray(query_vectors, dtype=np.float32)
        return np.clip(query_vectors @ self.vectors.T, 0.0, 1.0)

    def scores(
        self, query_texts: Sequence[str], query_vectors: np.ndarray | None = None
    ) -> np.ndarray:
        """The combined score of every (query, document): in [0, 1]."""
        w = self.semantic_weight
        combined = np.zeros((len(query_texts), len(self.ids)), dtype=np.float32)
        if w > 0:
            combined += w * self.semantic_scores(query_texts, query_vectors)
        if w < 1:
            combined += (1.0 - w) * self.lexical_scores(query_texts)
        return np.clip(combined, 0.0, 1.0, out=combined)

    def top(
        self,
        query_texts: Sequence[str],
        k: int = 5,
        min_score: float | None = None,
        query_vectors: np.ndarray | None = None,
    ) -> list[list[Match]]:
        """The ``k`` best documents per query, best first, each scoring above 0
        (and at least ``min_score`` when given); ties among them in corpus order.
        ``query_vectors``: ``embed(query_texts)``, if the caller already has it."""
        query_texts = list(query_texts)
        if not query_texts:
            return []
        if k <= 0 or not len(self.ids):
            return [[] for _ in query_texts]
        scores = self.scores(query_texts, query_vectors)
        k = min(k, scores.shape[1])
        floor = 0.0 if min_score is None else min_score
        results = []
        for row in scores:
            best = np.argpartition(-row, k - 1)[:k] if k < row.size else np.arange(k)
            best = best[np.lexsort((best, -row[best]))]
            results.append(
                [
                    Match(self.ids[i], float(row[i]))
                    for i in best
                    if row[i] > 0 and row[i] >= floor
                ]
            )
        return results
