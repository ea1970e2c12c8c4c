"""Check-worthiness quality of the shipped scorer, with baselines from the same run.

    .venv/bin/python bench/extraction_quality.py [--cv] [--data DIR]

Which split decided what (see ``bench/train_checkworthiness.py``): **train**
fitted every weight; **dev** chose C, the embedding scale and the threshold;
**dev-test** chose nothing and is reported as it falls. ``--cv`` adds the
blocked 5-fold cross-validation on train (folds of contiguous sentence ids).

Each TSV sentence becomes one line of a body and goes through
``extraction.extract(body, lines=True)``, exactly as ``extract_claims --lines``
scores it; a sentence is predicted check-worthy when its draft is ``checkable``.
Per split: F1 of the Yes class (the official metric), precision, recall and
average precision. Baselines, computed here in the same run: a TF-IDF word and
character n-gram logistic regression trained on train with its threshold chosen
on dev, and "every sentence is Yes".

Then the sample article in article mode against the hand labels of
``bench/data/sample_labels.json`` (evaluation only, never training): which
verifiable sentences are found, and which opinion, prediction and framing
sentences are flagged by mistake.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from train_checkworthiness import (  # noqa: E402
    DEFAULT_DATA,
    blocked_cv,
    choose_threshold,
    f1_at,
    load_split,
)

from factcheck import checkworthiness, extraction, textclean  # noqa: E402

SAMPLE = REPO / "seeds" / "000_cb454b6630152dc4.txt"
SAMPLE_LABELS = REPO / "bench" / "data" / "sample_labels.json"


def average_precision(labels: list[bool], scores: list[float]) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, scores))


def shipped_scores(rows: list[tuple[str, str, bool]]) -> tuple[list[float], list[bool]]:
    texts = [" ".join(text.split()) for _, text, _ in rows]
    drafts = extraction.extract("\n".join(texts), lines=True)
    if [d.text for d in drafts] != texts:
        raise SystemExit("lines mode did not keep one unit per sentence")
    return [d.score for d in drafts], [d.checkable for d in drafts]


def tfidf_baseline(train, splits):
    """Scores of a plain TF-IDF n-gram logistic regression, per split."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True
    )
    texts = [t for _, t, _ in train]
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    model = LogisticRegression(
        C=1.0, class_weight="balanced", max_iter=5000, solver="liblinear"
    ).fit(x, [y for _, _, y in train])
    out = {}
    for name, rows in splits.items():
        t = [text for _, text, _ in rows]
        out[name] = list(
            model.predict_proba(
                hstack([words.transform(t), chars.transform(t)]).tocsr()
            )[:, 1]
        )
    return out


def row(name: str, labels, scores, threshold: float, note: str = "") -> str:
    f1, p, r = f1_at(labels, scores, threshold)
    ap = average_precision(labels, scores)
    return f"  {name:34} {f1:6.3f} {p:6.3f} {r:6.3f} {ap:6.3f}  {note}"


def sample_report() -> None:
    labels = json.loads(SAMPLE_LABELS.read_text(encoding="utf-8"))
    body = textclean.normalise(SAMPLE.read_text(encoding="utf-8")).body
    drafts = [
        d for d in extraction.extract(body) if d.block not in ("title", "heading")
    ]

    def lookup(prefix: str):
        found = [d for d in drafts if d.text.startswith(prefix)]
        if len(found) != 1:
            raise SystemExit(f"sample label {prefix!r} matches {len(found)} sentences")
        return found[0]

    flagged = [d for d in drafts if d.checkable]
    print(
        f"\nsample article: {len(drafts)} sentences, {len(flagged)} flagged checkable"
    )
    for group, title in (
        ("verifiable", "verifiable sentences found"),
        ("not_checkable", "opinion, prediction, framing flagged by mistake"),
    ):
        ds = [lookup(p) for p in labels[group]]
        hits = [d for d in ds if d.checkable]
        print(f"  {title}: {len(hits)} of {len(ds)}")
        for d in ds:
            mark = "FLAGGED" if d.checkable else "-"
            if (group == "verifiable") != d.checkable:
                print(f"    {mark:8} {d.score:.2f} {d.text[:90]}")
    print("  the issue's three missed sentences:")
    for prefix in labels["issue_missed"]:
        d = lookup(prefix)
        print(f"    {'found' if d.checkable else 'MISSED':7} {d.score:.2f} {prefix}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cv", action="store_true", help="blocked CV on train")
    parser.add_argument(
        "--splits", nargs="+", default=["dev", "dev-test"], choices=["dev", "dev-test"]
    )
    args = parser.parse_args(argv)
    model = json.loads(checkworthiness.MODEL_PATH.read_text(encoding="utf-8"))
    print(
        f"scorer: {checkworthiness.MODEL_PATH.name}, C={model['options']['C']}, "
        f"embedding scale={model['options']['scale']} (chosen on dev), "
        f"threshold {model['tuned_threshold']} (chosen on dev)"
    )
    train = load_split(args.data, "train")
    splits = {s: load_split(args.data, s) for s in ("dev", *args.splits)}
    t0 = time.perf_counter()
    baseline = tfidf_baseline(train, splits)
    baseline_threshold = choose_threshold(
        [y for _, _, y in splits["dev"]], baseline["dev"]
    )
    print(f"baseline fitted in {time.perf_counter() - t0:.0f} s")
    print(f"  {'':34} {'F1':>6} {'P':>6} {'R':>6} {'AP':>6}")
    if args.cv:
        c, scale = model["options"]["C"], model["options"]["scale"]
        cv = blocked_cv(
            [t for _, t, _ in train], [y for _, _, y in train],
            [i for i, _, _ in train], c, scale,
        )  # fmt: skip
        print(
            f"train, blocked 5-fold CV           {cv['f1']:6.3f} {cv['p']:6.3f} "
            f"{cv['r']:6.3f} {cv['ap']:6.3f}  (its own threshold {cv['threshold']})"
        )
    for name, rows in splits.items():
        if name not in args.splits:
            continue  # dev is always read: it sets the baseline's threshold
        labels = [y for _, _, y in rows]
        t0 = time.perf_counter()
        scores, checkable = shipped_scores(rows)
        ms = (time.perf_counter() - t0) * 1000
        if checkable != [s >= checkworthiness.DEFAULT_THRESHOLD for s in scores]:
            raise SystemExit("checkable does not follow the desk threshold")
        print(f"{name} ({len(rows)} sentences, {sum(labels)} Yes)")
        print(row("shipped scorer", labels, scores, 0.5, f"({ms:.0f} ms)"))
        print(
            row(
                "baseline: TF-IDF n-gram LR", labels, baseline[name], baseline_threshold
            )
        )
        print(row("baseline: every sentence Yes", labels, [1.0] * len(rows), 0.5))
    sample_report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
