"""Speed of claim matching: one article's sentences against 100k stored claims.

    .venv/bin/python bench/matching_speed.py [--claims N] [--repeat N] [--data DIR]

Corpus: ``--claims`` (default 100,000) texts made from the CLEF-2020 verified
claims (``verified_claims.docs.tsv``, text and title) repeated with small
variations (a word dropped, a number changed, a word from another claim added),
so BM25 sees a realistic vocabulary and realistic posting lists. Vectors are
random unit rows (as if stored at write time): the dense part is one matrix
product whatever the vectors hold, and encoding 100k texts is the write path's
cost, not matching's.

Queries: the first 50 sentences of the sample article (``seeds/``), as the desk
splits it. Timed, best of ``--repeat`` runs after a warm-up: ``Matcher.top(...,
k=5)`` for the 50 sentences, encoding them included, and for comparison the
trivial floor of the dense part alone (the query vectors times the claim matrix,
no ranking). Target: matching well under 1 s. Index build time is printed too
(it is paid once per process, not per article).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck import extraction, matching, semantic, textclean  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "claim-matching"
SAMPLE = REPO / "seeds" / "000_cb454b6630152dc4.txt"


def variants(data: Path, n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` (text, title) pairs: the verified claims, then varied copies."""
    with (data / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    rng = random.Random(seed)
    vocabulary = [w for _, text, _ in rows for w in text.split()]
    texts, titles = [], []
    while len(texts) < n:
        for _, text, title in rows:
            if len(texts) == n:
                break
            words = text.split()
            if len(texts) >= len(rows):  # the originals first, then variations
                words.pop(rng.randrange(len(words)))
                words.insert(rng.randrange(len(words) + 1), rng.choice(vocabulary))
                words.append(str(rng.randrange(1, 2030)))
            texts.append(" ".join(words))
            titles.append(title)
    return texts, titles


def best_of(fn, repeat: int) -> float:  # noqa: ANN001 - any callable
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    texts, titles = variants(args.data, args.claims)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(texts), semantic.DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    t0 = time.perf_counter()
    matcher = matching.Matcher.from_rows(range(len(texts)), texts, vectors, titles)
    build = time.perf_counter() - t0

    body = textclean.normalise(SAMPLE.read_text(encoding="utf-8")).body
    sentences = [d.text for d in extraction.extract(body)][:50]
    matcher.top(sentences, k=5)  # warm-up: loads the model, touches the index

    full = best_of(lambda: matcher.top(sentences, k=5), args.repeat)
    qv = matching.embed(sentences)
    encode = best_of(lambda: matching.embed(sentences), args.repeat)
    lexical = best_of(lambda: matcher.lexical_scores(sentences), args.repeat)
    floor = best_of(lambda: qv @ matcher.vectors.T, args.repeat)
    print(
        f"corpus: {len(matcher):,} claims, {len(matcher._vocab):,} distinct words, "
        f"{matcher._docs.size:,} postings; index built in {build:.1f} s"
    )
    print(f"query: {len(sentences)} sentences of {SAMPLE.name}")
    print(f"  Matcher.top(k=5), all included  {full:7.1f} ms   (target < 1000 ms)")
    print(f"    of which encoding the queries {encode:7.1f} ms")
    print(f"    of which BM25 (lexical part)  {lexical:7.1f} ms")
    print(
        f"  floor: one (50 x 256) @ (256 x {len(matcher):,}) product  {floor:5.1f} ms"
    )
    print(f"  ratio to the floor: {full / floor:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
