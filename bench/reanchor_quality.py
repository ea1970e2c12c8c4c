"""Re-anchoring quality of ``factcheck.reanchor`` on edited versions of real articles.

    .venv/bin/python bench/reanchor_quality.py [--trials N] [--seed S] [--data DIR]

Articles: the two seed articles (their sentences as ``extraction.extract`` cuts
them, paragraphs kept), and articles of real debate sentences from the CheckThat!
2024 check-worthiness data (``../shared/data/checkworthiness/``, dev split: four
sentences a paragraph, eight paragraphs an article). Claims: the sentences the
extractor marks checkable, as at ingestion.

Each trial applies 1-6 seeded random edits to one article: insert a paragraph
(sentences from outside the article), delete a sentence, swap two paragraphs,
reword a sentence (one word replaced, or a number changed), rewrite one (half its
words replaced), fix a typo (two letters of a word swapped). The new body's
sentences come from ``extraction.extract`` as in ``workflow.revise_article``.
Measured against what the edit did to each claim's sentence:

- unchanged claims found with their exact text at their new offset (target >= 99 %);
- changed claims (reworded, rewritten, typo, deleted) flagged "changed" or "vanished"
  (target 100 %);
- claims anchored to a sentence that is not theirs (a verdict moved to the wrong
  sentence; target 0): an unchanged or changed claim put elsewhere, a deleted
  one put anywhere.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck import extraction, reanchor, textclean  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "checkworthiness"
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
WORDS = ["significant", "regional", "national", "modest", "steady", "recent", "major"]


@dataclass
class Unit:
    """One sentence of an article being edited; ``key`` names the claim it holds."""

    text: str
    key: int | None = None
    fate: str = "same"  # "same" | "changed"


def _paragraphs(body: str) -> list[list[str]]:
    """The body's sentences, grouped by paragraph (a line break between them)."""
    paragraphs: list[list[str]] = []
    last = 0
    for draft in extraction.extract(body):
        if not paragraphs or "\n" in body[last : draft.start]:
            paragraphs.append([])
        paragraphs[-1].append(draft.text)
        last = draft.end
    return paragraphs


def seed_articles() -> list[list[list[str]]]:
    return [
        _paragraphs(textclean.normalise(textclean.decode_upload(p.read_bytes())).body)
        for p in SEEDS
    ]


def debate_articles(data: Path, rng: random.Random) -> tuple[list, list[str]]:
    """Articles of CheckThat! sentences, and a pool of others for insertions."""
    with (data / "CT24_checkworthy_english_dev.tsv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))[1:]
    sentences = list(
        dict.fromkeys(
            " ".join(r[1].split())
            for r in rows
            if len(r[1].split()) >= 6 and r[1].strip()[-1:] in ".?!"
        )
    )
    rng.shuffle(sentences)
    articles = []
    for a in range(12):
        chunk = sentences[a * 32 : (a + 1) * 32]
        articles.append([chunk[i : i + 4] for i in range(0, 32, 4)])
    return articles, sentences[12 * 32 :]


def body_of(paragraphs: list[list[Unit]]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The text and each claim-holding unit's span in it."""
    parts, spans, pos = [], {}, 0
    for p, units in enumerate(paragraphs):
        if p:
            parts.append("\n")
            pos += 1
        for u, unit in enumerate(units):
            if u:
                parts.append(" ")
                pos += 1
            if unit.key is not None:
                spans[unit.key] = (pos, pos + len(unit.text))
            parts.append(unit.text)
            pos += len(unit.text)
    return "".join(parts), spans


def _reword(text: str, rng: random.Random) -> str:
    numbers = list(re.finditer(r"\d+", text))
    if numbers and rng.random() < 0.5:
        m = rng.choice(numbers)
        return (
            text[: m.start()]
            + str(int(m.group()) + rng.randint(1, 9))
            + text[m.end() :]
        )
    words = [m for m in re.finditer(r"[A-Za-z]{4,}", text)]
    if not words:
        return text + " Indeed."
    m = rng.choice(words)
    new = rng.choice([w for w in WORDS if w != m.group()])
    return text[: m.start()] + new + text[m.end() :]


def _rewrite(text: str, rng: random.Random) -> str:
    """A heavy rewording: about half the words replaced (the last one, with the
    sentence's full stop, kept)."""
    words = text.split()
    for i in rng.sample(range(len(words) - 1), max(1, len(words) // 2)):
        words[i] = rng.choice(WORDS)
    return " ".join(words)


def _typo(text: str, rng: random.Random) -> str:
    words = [m for m in re.finditer(r"[a-z]{5,}", text)]
    if not words:
        return text.replace(" ", "  ", 1) if " " in text else text + "."
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 2)
    if w[i] == w[i + 1]:
        return text[: m.start()] + w[:i] + w[i + 2 :] + text[m.end() :]
    swapped = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return text[: m.start()] + swapped + text[m.end() :]


EDITS = {"reword": _reword, "rewrite": _rewrite, "typo": _typo}


def edit(paragraphs: list[list[Unit]], pool: list[str], rng: random.Random) -> None:
    """Apply 1-6 random edits in place, recording each claim's fate."""
    for _ in range(rng.randint(1, 6)):
        op = rng.choice(["insert", "delete", "reorder", "reword", "rewrite", "typo"])
        units = [
            (p, i) for p, units in enumerate(paragraphs) for i in range(len(units))
        ]
        if op == "insert":
            new = [Unit(rng.choice(pool)) for _ in range(rng.randint(1, 3))]
            paragraphs.insert(rng.randint(0, len(paragraphs)), new)
        elif op == "reorder" and len(paragraphs) > 1:
            a, b = rng.sample(range(len(paragraphs)), 2)
            paragraphs[a], paragraphs[b] = paragraphs[b], paragraphs[a]
        elif op == "delete" and len(units) > 1:
            p, i = rng.choice(units)
            gone = paragraphs[p].pop(i)
            if gone.key is not None:
                _deleted.add(gone.key)
            if not paragraphs[p]:
                paragraphs.pop(p)
        elif op in EDITS and units:
            p, i = rng.choice(units)
            unit = paragraphs[p][i]
            changed = EDITS[op](unit.text, rng)
            if changed != unit.text:
                unit.text = changed
                unit.fate = "changed"


_deleted: set[int] = set()
KEYS = ("same", "same_ok", "changed", "flagged", "wrong", "reworded", "refound")


def trial(article: list[list[str]], pool: list[str], rng: random.Random) -> dict:
    paragraphs = [[Unit(t) for t in p] for p in article]
    old_body, _ = body_of(paragraphs)
    checkable = {
        (d.start, d.end)
        for d in extraction.extract(old_body)
        if d.checkable and d.block not in ("title", "heading")
    }
    key = 0
    pos = 0
    for p, units in enumerate(paragraphs):
        pos += 1 if p else 0
        for u, unit in enumerate(units):
            pos += 1 if u else 0
            if (pos, pos + len(unit.text)) in checkable:
                unit.key = key
                key += 1
            pos += len(unit.text)
    _, old_spans = body_of(paragraphs)
    fate_before = {}
    _deleted.clear()
    edit(paragraphs, pool, rng)
    new_body, new_spans = body_of(paragraphs)
    for units in paragraphs:
        for unit in units:
            if unit.key is not None:
                fate_before[unit.key] = unit.fate
    sentences = [(d.start, d.end) for d in extraction.extract(new_body)]
    claims = [reanchor.OldClaim(k, s, e) for k, (s, e) in old_spans.items()]
    started = time.perf_counter()
    anchors = reanchor.reanchor(old_body, claims, new_body, sentences)
    elapsed = time.perf_counter() - started
    out = dict.fromkeys(KEYS, 0) | {"t": elapsed}
    for a in anchors:
        if a.key in _deleted:
            out["changed"] += 1
            out["flagged"] += a.status == "vanished"
            out["wrong"] += a.status != "vanished"
            continue
        expected = new_spans[a.key]
        if fate_before[a.key] == "same":
            out["same"] += 1
            ok = (a.start, a.end) == expected and not a.flagged
            out["same_ok"] += ok
            out["wrong"] += a.status != "vanished" and a.start != expected[0]
        else:
            out["changed"] += 1
            out["flagged"] += a.flagged
            # A changed claim is right on its own sentence or vanished, else wrong.
            overlap = a.start < expected[1] and expected[0] < a.end
            out["wrong"] += a.status != "vanished" and not overlap
            out["refound"] += a.status == "changed" and overlap
            out["reworded"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=50, help="per article")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    debates, pool = debate_articles(args.data, rng)
    sets = {"seed articles": seed_articles(), "debate articles": debates}
    rows = []
    total = dict.fromkeys(KEYS, 0)
    for name, articles in sets.items():
        sums = dict.fromkeys(total, 0)
        times = []
        for article in articles:
            for _ in range(args.trials):
                result = trial(article, pool, rng)
                times.append(result.pop("t"))
                for k, v in result.items():
                    sums[k] += v
        for k in total:
            total[k] += sums[k]
        rows.append((name, len(articles) * args.trials, sums, times))
    print(f"seed {args.seed}, {args.trials} trials per article\n")
    print(
        "| articles | edited versions | unchanged claims exact | changed claims "
        "flagged | reworded claims on their new sentence | verdicts on a wrong "
        "sentence | re-anchoring, median |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, s, times in rows:
        times.sort()
        print(
            f"| {name} | {n} | {s['same_ok']}/{s['same']} "
            f"({100 * s['same_ok'] / max(1, s['same']):.2f} %) | "
            f"{s['flagged']}/{s['changed']} "
            f"({100 * s['flagged'] / max(1, s['changed']):.1f} %) | "
            f"{s['refound']}/{s['reworded']} | {s['wrong']} | "
            f"{1000 * times[len(times) // 2]:.1f} ms |"
        )
    same = 100 * total["same_ok"] / max(1, total["same"])
    flagged = 100 * total["flagged"] / max(1, total["changed"])
    print(
        f"\nall: unchanged exact {same:.2f} % (target >= 99), changed flagged "
        f"{flagged:.1f} % (target 100), wrong sentence {total['wrong']} (target 0)"
    )
    ok = same >= 99 and flagged == 100 and total["wrong"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
