"""Speed of the text-to-claims pipeline against the bare sentence splitter.

    .venv/bin/python bench/extraction_speed.py [--repeat N]

Times, in one process and on the same text:

* pipeline: ``textclean.normalise`` + ``extraction.extract`` (structure,
  sentence spans, check-worthiness of every sentence);
* bare splitter: ``pysbd.Segmenter(language="en", clean=False).segment(text)``,
  the plain way to call the library.

Texts: the sample article (~10 KB), and articles of ~250 KB and ~1 MB built by
repeating it (kept under ``textclean.MAX_BYTES`` so the pipeline accepts them).
Prints milliseconds per article (best of ``--repeat`` runs after a warm-up that
also loads the model), the pipeline/splitter ratio (target <= 3x) and
milliseconds per KB (the same figure at 250 KB and 1 MB means linear time).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck import extraction, textclean  # noqa: E402

SAMPLE = REPO / "seeds" / "000_cb454b6630152dc4.txt"


def best_of(fn, text: str, repeat: int) -> float:  # noqa: ANN001 - any callable
    """Best wall time in ms: the least disturbed run is the fairest comparison."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def repeated(article: str, target_bytes: int) -> str:
    unit = article.rstrip("\n") + "\n\n"
    copies = max(1, target_bytes // len(unit.encode("utf-8")))
    return unit * copies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pysbd's harmless escape warnings
        import pysbd
    splitter = pysbd.Segmenter(language="en", clean=False)

    def pipeline(text: str) -> int:
        return len(extraction.extract(textclean.normalise(text).body))

    def bare(text: str) -> int:
        return len(splitter.segment(text))

    article = SAMPLE.read_text(encoding="utf-8")
    texts = {
        "sample": article,
        "250 KB": repeated(article, 250_000),
        "1 MB": repeated(article, textclean.MAX_BYTES - 20_000),
    }
    pipeline(article)  # warm-up: model weights, pysbd's compiled rules
    bare(article)
    print(
        f"{'text':7} {'KB':>6} {'pipeline ms':>12} {'pysbd ms':>10} {'ratio':>6} "
        f"{'pipe ms/KB':>10} {'pysbd ms/KB':>11} {'sentences':>9}"
    )
    for name, text in texts.items():
        kb = len(text.encode("utf-8")) / 1000
        repeat = args.repeat if kb < 100 else max(1, args.repeat - 1)
        t_pipe = best_of(pipeline, text, repeat)
        t_bare = best_of(bare, text, repeat)
        print(
            f"{name:7} {kb:6.0f} {t_pipe:12.1f} {t_bare:10.1f} "
            f"{t_pipe / t_bare:6.2f} {t_pipe / kb:10.2f} {t_bare / kb:11.2f} "
            f"{pipeline(text) if kb < 100 else '':>9}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
