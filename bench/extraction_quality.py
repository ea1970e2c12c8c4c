"""Check-worthiness quality of the shipped scorer on the CheckThat! dev splits.

    .venv/bin/python bench/extraction_quality.py [--data DIR] [--threshold T]

Each TSV sentence becomes one line of a body and goes through
``extraction.extract(body, lines=True)``, exactly as ``extract_claims --lines``
would score it; a sentence is predicted check-worthy when its draft is
``checkable``. Prints, per split: F1 of the Yes class (the official metric),
precision, recall and average precision of the scores. The threshold defaults
to ``checkworthiness.DEFAULT_THRESHOLD`` (tuned on dev-test by the training
script, so dev-test figures are tuned figures; dev is not used for tuning).

References on dev-test (lab README): best 2023 system F1 0.898, TF-IDF n-gram
baseline 0.599, random 0.462.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from train_checkworthiness import DEFAULT_DATA, load_split  # noqa: E402

from factcheck import checkworthiness, extraction  # noqa: E402


def average_precision(labels: list[bool], scores: list[float]) -> float:
    """AP as scikit-learn computes it: sum of precision at each recall step."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    positives = sum(labels)
    if not positives:
        return 0.0
    ap = 0.0
    tp = fp = 0
    i = 0
    # Ties share one step, so the result does not depend on the order of equal
    # scores (same convention as sklearn.metrics.average_precision_score).
    while i < len(order):
        j = i
        step_tp = step_fp = 0
        while j < len(order) and scores[order[j]] == scores[order[i]]:
            if labels[order[j]]:
                step_tp += 1
            else:
                step_fp += 1
            j += 1
        tp += step_tp
        fp += step_fp
        if step_tp:
            ap += (step_tp / positives) * (tp / (tp + fp))
        i = j
    return ap


def evaluate(rows: list[tuple[str, str, bool]], threshold: float) -> dict:
    texts = [" ".join(text.split()) for _, text, _ in rows]
    body = "\n".join(texts)
    drafts = extraction.extract(body, threshold=threshold, lines=True)
    if len(drafts) != len(rows) or any(
        d.text != t for d, t in zip(drafts, texts, strict=True)
    ):
        raise SystemExit("lines mode did not keep one unit per sentence")
    labels = [y for _, _, y in rows]
    predicted = [d.checkable for d in drafts]
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(rows),
        "yes": sum(labels),
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "ap": average_precision(labels, [d.score for d in drafts]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--threshold", type=float, default=checkworthiness.DEFAULT_THRESHOLD
    )
    args = parser.parse_args(argv)
    print(f"scorer: {checkworthiness.MODEL_PATH.name}, threshold {args.threshold}")
    print(f"{'split':9} {'n':>5} {'yes':>4} {'F1':>6} {'P':>6} {'R':>6} {'AP':>6}")
    for split in ("dev", "dev-test"):
        t0 = time.perf_counter()
        m = evaluate(load_split(args.data, split), args.threshold)
        print(
            f"{split:9} {m['n']:5d} {m['yes']:4d} {m['f1']:6.3f} "
            f"{m['precision']:6.3f} {m['recall']:6.3f} {m['ap']:6.3f}"
            f"   ({(time.perf_counter() - t0) * 1000:.0f} ms)"
        )
    print("dev-test references: best 2023 system 0.898, n-gram baseline 0.599")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
