"""Reproduce ``factcheck/data/checkworthiness_model.json`` from the CheckThat! data.

Responsibility: train ``factcheck.checkworthiness``'s model and choose its
hyper-parameters and threshold. Deterministic: same data, same file.

    .venv/bin/python bench/train_checkworthiness.py [--ablate] [--cv]

Which split decides what:

* **train** fits every weight: n-grams (sublinear TF-IDF of the *runtime*
  ``text_features``), the sentence embedding (``factcheck.semantic``) and the
  cues of ``cues.toml`` (``cue_features``), in one class-balanced logistic
  regression.
* **dev** chooses the regularisation ``C`` and the embedding's scale (grid
  below, by smoothed best F1 of the Yes class), then the threshold, which is
  folded into the intercept so that 0.5 is the desk threshold.
* **dev-test** is never read here; ``bench/extraction_quality.py`` reports it.

``--cv`` adds a 5-fold cross-validation on train with folds of contiguous
sentence ids (whole stretches of debate held out together, closer to unseen
text than random folds). ``--ablate`` refits without each cue in turn, and
without the embedding and without all cues, and prints the change on dev: a
cue stays in ``cues.toml`` only if it does not cost F1 or AP there.

scikit-learn is needed here only (a dev dependency); the desk needs numpy.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck import checkworthiness as cw  # noqa: E402
from factcheck import semantic  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "checkworthiness"
SPLITS = {
    "train": "CT24_checkworthy_english_train.tsv",
    "dev": "CT24_checkworthy_english_dev.tsv",
    "dev-test": "CT24_checkworthy_english_dev-test.tsv",
}
GRID_C = (1.0, 2.0, 4.0)
GRID_EMBEDDING_SCALE = (0.5, 1.0, 2.0)
MIN_DF = 3
# One training row holds two sentences glued together: "...<TAB>No29286<TAB>...".
_GLUED_LABEL = re.compile(r"^(Yes|No)(\d+)$")


def load_split(data: Path, split: str) -> list[tuple[str, str, bool]]:
    """(sentence id, text, is check-worthy) rows of one split."""
    rows: list[tuple[str, str, bool]] = []
    path = data / SPLITS[split]
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[:3] != ["Sentence_id", "Text", "class_label"]:
            raise SystemExit(f"{path}: unexpected header {header!r}")
        for fields in reader:
            if not fields:
                continue
            while len(fields) > 3:
                glued = _GLUED_LABEL.match(fields[2])
                if glued is None:
                    raise SystemExit(f"{path}: cannot repair row {fields[:3]!r}")
                rows.append((fields[0], fields[1], glued.group(1) == "Yes"))
                fields = [glued.group(2), *fields[3:]]
            if fields[2] not in ("Yes", "No"):
                raise SystemExit(f"{path}: bad label in row {fields!r}")
            rows.append((fields[0], fields[1], fields[2] == "Yes"))
    return rows


def f1_at(labels, scores, threshold: float) -> tuple[float, float, float]:
    """F1, precision and recall of the Yes class at a threshold."""
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y and s < threshold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def choose_threshold(labels, scores) -> float:
    """The threshold of best F1, smoothed over neighbours: on a thousand
    sentences a single lucky point is noise; a plateau is a decision."""
    grid = [i / 100 for i in range(5, 96)]
    f1s = [f1_at(labels, scores, t)[0] for t in grid]
    smooth = [
        sum(f1s[max(0, i - 2) : i + 3]) / len(f1s[max(0, i - 2) : i + 3])
        for i in range(len(grid))
    ]
    return grid[max(range(len(grid)), key=lambda i: (smooth[i], f1s[i]))]


class Features:
    """The runtime features of a set of sentences, as training matrices."""

    def __init__(self, train_texts: list[str], min_df: int = MIN_DF) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfTransformer

        pairs = [cw.text_features(t) for t in train_texts]
        # One vectoriser and TF-IDF per n-gram family (words, characters).
        self.families = []
        for family in (0, 1):
            vectoriser = DictVectorizer(sort=True)
            counts = vectoriser.fit_transform(p[family] for p in pairs)
            df = (counts > 0).sum(axis=0).A1
            keep = (df >= min_df).nonzero()[0]
            vocab = [vectoriser.feature_names_[i] for i in keep]
            tfidf = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")
            tfidf.fit(counts[:, keep])
            self.families.append((vectoriser, keep, vocab, tfidf))
        self.cue_names = sorted(
            {"cue:" + c.name for c in cw.load_cues() if c.feature}
            | {"len:<=5", "len:6-10", "len:11-20", "len:>20"}
        )

    @property
    def n_grams(self) -> int:
        return sum(len(vocab) for _, _, vocab, _ in self.families)

    def blocks(self, texts: list[str], cues=None):
        """(n-gram TF-IDF, embedding, cue) matrices for ``texts``."""
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        pairs = [cw.text_features(t) for t in texts]
        grams = hstack(
            [
                tfidf.transform(vectoriser.transform(p[f] for p in pairs)[:, keep])
                for f, (vectoriser, keep, _, tfidf) in enumerate(self.families)
            ]
        ).tocsr()
        meaning = semantic.encode(texts).astype(np.float64)
        index = {n: i for i, n in enumerate(self.cue_names)}
        flags = np.zeros((len(texts), len(self.cue_names)))
        for row, text in enumerate(texts):
            for name in cw.cue_features(text, cues):
                flags[row, index[name]] = 1.0
        return grams, csr_matrix(meaning), csr_matrix(flags)


def stack(blocks, scale: float, use_meaning: bool = True, use_cues: bool = True):
    from scipy.sparse import hstack

    words, meaning, cues = blocks
    parts = [words]
    if use_meaning:
        parts.append(meaning * scale)
    if use_cues:
        parts.append(cues)
    return hstack(parts).tocsr()


def fit(x, y, c: float):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=c, class_weight="balanced", max_iter=5000, solver="liblinear", random_state=0
    )
    return model.fit(x, y)


def metrics(labels, scores, threshold: float) -> dict:
    from sklearn.metrics import average_precision_score

    f1, p, r = f1_at(labels, scores, threshold)
    return {
        "f1": f1,
        "p": p,
        "r": r,
        "ap": average_precision_score(labels, scores),
        "threshold": threshold,
    }


def shipped_model(features: Features, model, scale: float, options: dict) -> dict:
    coef = model.coef_.ravel()
    tables = {}
    offset = 0
    for name, (_, _, vocab, tfidf) in zip(
        ("words", "chars"), features.families, strict=True
    ):
        tables[name] = {
            "vocab": vocab,
            "weights": [round(float(w), 4) for w in coef[offset : offset + len(vocab)]],
            "idf": [round(float(v), 3) for v in tfidf.idf_],
        }
        offset += len(vocab)
    dim = semantic.DIM
    return {
        "format": 2,
        "description": "Check-worthiness logistic regression over n-grams, "
        "sentence embedding and cues; see bench/train_checkworthiness.py.",
        "trained_on": "CLEF CheckThat! 2024 Task 1 English train split",
        "tuned_on": "dev split (C, embedding scale, threshold)",
        "semantic_model": semantic.model_info().get("vectors_sha256"),
        "options": options,
        "bias": round(float(model.intercept_[0]), 4),
        "shift": 0.0,
        "cues": {
            name: round(float(coef[offset + dim + i]), 4)
            for i, name in enumerate(features.cue_names)
        },
        "embedding": [round(float(w) * scale, 5) for w in coef[offset : offset + dim]],
        **tables,
    }


def blocked_cv(texts, labels, ids, c: float, scale: float) -> dict:
    """5 folds of contiguous sentence ids; threshold chosen on the pooled folds."""
    import numpy as np

    order = np.argsort(np.asarray(ids, dtype=int))
    fold = np.empty(len(texts), dtype=int)
    fold[order] = np.arange(len(texts)) * 5 // len(texts)
    y = np.asarray(labels)
    pooled = np.zeros(len(texts))
    for k in range(5):
        train_idx = np.flatnonzero(fold != k)
        test_idx = np.flatnonzero(fold == k)
        features = Features([texts[i] for i in train_idx])
        x_train = stack(features.blocks([texts[i] for i in train_idx]), scale)
        x_test = stack(features.blocks([texts[i] for i in test_idx]), scale)
        pooled[test_idx] = fit(x_train, y[train_idx], c).predict_proba(x_test)[:, 1]
    return metrics(list(y), list(pooled), choose_threshold(list(y), list(pooled)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=cw.MODEL_PATH)
    parser.add_argument(
        "--ablate", nargs="*", metavar="CUE", help="measure these cues (none: all)"
    )
    parser.add_argument("--C", type=float, help="skip the dev grid: use this C")
    parser.add_argument("--scale", type=float, help="... and this embedding scale")
    parser.add_argument("--cv", action="store_true", help="blocked CV on train")
    args = parser.parse_args(argv)
    if not semantic.is_semantic():
        raise SystemExit("the semantic model is missing: bench/build_semantic_model.py")

    t0 = time.perf_counter()
    train = load_split(args.data, "train")
    dev = load_split(args.data, "dev")
    texts, labels = [t for _, t, _ in train], [y for _, _, y in train]
    dev_texts, dev_labels = [t for _, t, _ in dev], [y for _, _, y in dev]
    print(f"train: {len(train)} sentences ({sum(labels)} Yes); dev: {len(dev)}")

    features = Features(texts)
    train_blocks = features.blocks(texts)
    dev_blocks = features.blocks(dev_texts)
    print(
        f"features: {features.n_grams} n-grams (df >= {MIN_DF}), "
        f"{semantic.DIM} embedding dims, {len(features.cue_names)} cue/length flags"
    )

    # Dev chooses C and the embedding scale.
    results = []
    for c in [args.C] if args.C else GRID_C:
        for scale in [args.scale] if args.scale else GRID_EMBEDDING_SCALE:
            model = fit(stack(train_blocks, scale), labels, c)
            scores = model.predict_proba(stack(dev_blocks, scale))[:, 1]
            m = metrics(dev_labels, scores, choose_threshold(dev_labels, scores))
            results.append((m["f1"], m["ap"], c, scale, model))
            print(f"  C={c:<4} scale={scale:<4} dev F1 {m['f1']:.3f}  AP {m['ap']:.3f}")
    _, _, c, scale, model = max(results, key=lambda r: (round(r[0], 3), r[1]))
    print(f"dev chose C={c}, embedding scale={scale}")

    shipped = shipped_model(
        features, model, scale, {"C": c, "scale": scale, "min_df": MIN_DF}
    )
    # The threshold, chosen on dev with the scorer exactly as shipped (rounded
    # weights, the runtime feature code).
    scorer = cw.Scorer(shipped)
    probs = [a.score for a in scorer.assess_many(dev_texts)]
    tuned = choose_threshold(dev_labels, probs)
    shipped["shift"] = round(-math.log(tuned / (1 - tuned)), 4)
    shipped["tuned_threshold"] = tuned
    m = metrics(dev_labels, probs, tuned)
    print(
        f"dev threshold {tuned:.2f}: F1 {m['f1']:.3f} P {m['p']:.3f} R {m['r']:.3f} "
        f"AP {m['ap']:.3f}; folded into the intercept so 0.5 is the desk threshold"
    )

    if args.cv:
        cv = blocked_cv(texts, labels, [i for i, _, _ in train], c, scale)
        print(
            f"train blocked 5-fold CV: F1 {cv['f1']:.3f} "
            f"(threshold {cv['threshold']:.2f})"
            f" AP {cv['ap']:.3f}"
        )
    if args.ablate is not None:
        ablate(
            features,
            train_blocks,
            dev_blocks,
            labels,
            dev_labels,
            c,
            scale,
            args.ablate,
        )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        json.dump(shipped, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f} s")
    return 0


def ablate(features, train_blocks, dev_blocks, labels, dev_labels, c, scale, only):
    """Dev F1 and AP without each part, against the full model."""

    def dev_metrics(columns_off=(), use_meaning=True, use_cues=True):
        blocks = []
        for words, meaning, cues in (train_blocks, dev_blocks):
            cues = cues.tolil(copy=True)
            for col in columns_off:
                cues[:, col] = 0
            blocks.append((words, meaning, cues.tocsr()))
        model = fit(stack(blocks[0], scale, use_meaning, use_cues), labels, c)
        scores = model.predict_proba(stack(blocks[1], scale, use_meaning, use_cues))[
            :, 1
        ]
        return metrics(dev_labels, scores, choose_threshold(dev_labels, scores))

    base = dev_metrics()
    print(
        f"ablation on dev (full model refit: F1 {base['f1']:.3f} AP {base['ap']:.3f})"
    )
    print(f"  {'without':22} {'dF1':>7} {'dAP':>7}")
    rows = []
    if not only:
        rows.append(("the embedding", dev_metrics(use_meaning=False)))
        rows.append(("every cue", dev_metrics(use_cues=False)))
    for i, name in enumerate(features.cue_names):
        if name.startswith("cue:") and (not only or name[4:] in only):
            rows.append((name[4:], dev_metrics(columns_off=(i,))))
    for name, m in rows:
        # Positive: the part helps (the model is worse without it).
        print(f"  {name:22} {base['f1'] - m['f1']:+7.3f} {base['ap'] - m['ap']:+7.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
