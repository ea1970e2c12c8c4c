"""Claim-matching quality of ``factcheck.matching``, with its baselines in the same run.

    .venv/bin/python bench/matching_quality.py [--tune] [--data DIR]

Data: the CLEF-2020 CheckThat! Task 2 release (``README.md`` of the data folder):
10k Snopes verified claims (text and title) and tweets, each with its correct
verified claim(s). Every query is matched against the whole archive, as
``manage.py match_claims`` does.

Which split chose what: **train** chose every constant of ``factcheck.matching``
(BM25 ``K1`` and ``B`` for BM25 alone, then ``SEMANTIC_WEIGHT`` for the
combination, each for the best MAP@5; ``DEFAULT_MIN_SCORE`` as the lowest
threshold at which 85% of the shown top matches are right). **dev** chose nothing
and is reported as it falls. ``--tune`` reprints the grids on train (with dev
alongside, for information only).

Per split and ranker: MAP@5 (the task's official measure: average precision in the
top 5, divided by the number of correct claims), recall@5 and recall@1. Rankers:
BM25 alone (the baseline), semantic alone (cosine of ``semantic.encode``), and the
shipped combination. Then the display threshold: among queries whose best match
scores at least the threshold, the share whose best match is right (precision),
the share of all queries shown their right match (recall), and, with every
query's correct claims removed from the archive, how often something is still
shown (the false-alarm rate for a sentence nobody has checked yet).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck import matching, semantic  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "claim-matching"
K = 5


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t"))[1:]


def load_archive(data: Path) -> tuple[list[str], list[str], list[str]]:
    rows = read_tsv(data / "verified_claims.docs.tsv")
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def load_split(data: Path, split: str) -> tuple[list[str], list[str], dict]:
    rows = read_tsv(data / split / "tweets.queries.tsv")
    gold = defaultdict(set)
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        qid, _, vid, rel = line.split("\t")
        if rel == "1":
            gold[qid].add(vid)
    return [r[0] for r in rows], [r[1] for r in rows], gold


def ranked(scores: np.ndarray, k: int = K) -> np.ndarray:
    """Indices of the k best documents per row, best first (ties: lower index)."""
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    rows = np.arange(scores.shape[0])[:, None]
    order = np.lexsort((part, -scores[rows, part]), axis=1)
    return part[rows, order]


def metrics(scores: np.ndarray, qids, gold, doc_ids) -> dict[str, float]:
    top = ranked(scores)
    aps, r5, r1 = [], [], []
    for q, qid in enumerate(qids):
        relevant = gold[qid]
        hits = [doc_ids[i] in relevant for i in top[q]]
        precisions = [sum(hits[: i + 1]) / (i + 1) for i, h in enumerate(hits) if h]
        aps.append(sum(precisions) / len(relevant))
        r5.append(sum(hits) / len(relevant))
        r1.append(hits[0] / 1.0)
    return {"map5": np.mean(aps), "r5": np.mean(r5), "r1": np.mean(r1)}


def threshold_table(scores, qids, gold, doc_ids, thresholds) -> list[tuple]:
    """(threshold, precision, recall, false-alarm rate) of showing the best match."""
    index = {d: i for i, d in enumerate(doc_ids)}
    top = ranked(scores, 1)[:, 0]
    best = scores[np.arange(len(qids)), top]
    right = np.array([doc_ids[i] in gold[q] for i, q in zip(top, qids, strict=True)])
    # Best score once the correct claims are gone: a query with no match.
    masked = scores.copy()
    for q, qid in enumerate(qids):
        masked[q, [index[d] for d in gold[qid]]] = -1.0
    best_without = masked.max(axis=1)
    out = []
    for t in thresholds:
        shown = best >= t
        precision = right[shown].mean() if shown.any() else float("nan")
        recall = (right & shown).mean()
        out.append((t, precision, recall, (best_without >= t).mean()))
    return out


def choose_threshold(scores, qids, gold, doc_ids, target: float = 0.85) -> float:
    grid = np.round(np.arange(0.05, 1.0, 0.01), 2)
    for t, precision, _, _ in threshold_table(scores, qids, gold, doc_ids, grid):
        if precision >= target:
            return float(t)
    return 1.0


def tune(ids, texts, titles, splits) -> None:
    print("BM25 alone, MAP@5 train (dev) for k1 x b:")
    bs = (0.3, 0.5, 0.6, 0.75, 0.9, 1.0)
    print("  k1\\b " + "".join(f"{b:>14}" for b in bs))
    best = (-1.0, None)
    vectors = np.zeros((len(ids), semantic.DIM), dtype=np.float32)
    for k1 in (0.6, 0.9, 1.2, 1.5, 2.0):
        cells = []
        for b in bs:
            m = matching.Matcher.from_rows(ids, texts, vectors, titles, k1=k1, b=b)
            res = {
                s: metrics(m.lexical_scores(q[1]), q[0], q[2], ids)["map5"]
                for s, q in splits.items()
            }
            cells.append(f"{res['train']:.3f} ({res['dev']:.3f})")
            if res["train"] > best[0]:
                best = (res["train"], (k1, b))
        print(f"  {k1:<5}" + "".join(f"{c:>14}" for c in cells))
    print(f"  best on train: k1={best[1][0]}, b={best[1][1]}")
    m = matching.Matcher.build(ids, texts, titles, k1=best[1][0], b=best[1][1])
    parts = {
        s: (m.lexical_scores(q[1]), m.semantic_scores(q[1])) for s, q in splits.items()
    }
    print("combined, MAP@5 train (dev) by semantic weight:")
    best = (-1.0, None)
    for w in np.round(np.arange(0.0, 0.51, 0.025), 3):
        res = {
            s: metrics(w * sem + (1 - w) * lex, *splits[s][::2], ids)["map5"]
            for s, (lex, sem) in parts.items()
        }
        print(f"  {w:.3f}  {res['train']:.4f} ({res['dev']:.4f})")
        if res["train"] > best[0]:
            best = (res["train"], w)
    print(f"  best on train: semantic weight {best[1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true", help="reprint the grids")
    args = parser.parse_args(argv)
    ids, texts, titles = load_archive(args.data)
    splits = {s: load_split(args.data, s) for s in ("train", "dev")}
    print(
        f"archive: {len(ids)} verified claims; "
        + ", ".join(f"{s}: {len(q[0])} queries" for s, q in splits.items())
    )
    print(
        f"constants (all chosen on train): K1={matching.K1}, B={matching.B}, "
        f"SEMANTIC_WEIGHT={matching.SEMANTIC_WEIGHT}, "
        f"DEFAULT_MIN_SCORE={matching.DEFAULT_MIN_SCORE}"
    )
    if args.tune:
        tune(ids, texts, titles, splits)

    t0 = time.perf_counter()
    shipped = matching.Matcher.build(ids, texts, titles)
    print(f"index built and encoded in {time.perf_counter() - t0:.1f} s")
    rankers = {
        "BM25 alone (baseline)": lambda q: shipped.lexical_scores(q),
        "semantic alone": lambda q: shipped.semantic_scores(q),
        "combined (shipped)": lambda q: shipped.scores(q),
    }
    print(f"  {'':26} {'MAP@5':>7} {'R@5':>7} {'R@1':>7}")
    combined = {}
    for split, (qids, qtexts, gold) in splits.items():
        print(f"{split} ({len(qids)} queries)")
        for name, score in rankers.items():
            t0 = time.perf_counter()
            scores = score(qtexts)
            ms = (time.perf_counter() - t0) * 1000
            m = metrics(scores, qids, gold, ids)
            print(
                f"  {name:26} {m['map5']:7.3f} {m['r5']:7.3f} {m['r1']:7.3f}"
                f"  ({ms:.0f} ms)"
            )
        combined[split] = shipped.scores(qtexts)

    qids, _, gold = splits["train"]
    chosen = choose_threshold(combined["train"], qids, gold, ids)
    print(
        f"display threshold: DEFAULT_MIN_SCORE={matching.DEFAULT_MIN_SCORE} "
        f"(train's choice for 85% precision today: {chosen})"
    )
    print(f"  {'':9} {'thresh':>6} {'prec':>6} {'recall':>6} {'no-match alarm':>15}")
    for split, (qids, _, gold) in splits.items():
        grid = sorted({matching.DEFAULT_MIN_SCORE, 0.1, 0.2, 0.25, 0.3})
        for t, p, r, alarm in threshold_table(combined[split], qids, gold, ids, grid):
            mark = "  <- default" if t == matching.DEFAULT_MIN_SCORE else ""
            print(f"  {split:9} {t:6.2f} {p:6.3f} {r:6.3f} {alarm:15.3f}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
