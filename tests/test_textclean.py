"""Normalising, decoding and reducing uploads to the article body (no Django)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from factcheck import textclean
from factcheck.textclean import (
    MAX_BYTES,
    TextRefused,
    decode_upload,
    html_to_text,
    markdown_to_text,
    normalise,
)

SAMPLE = Path(__file__).resolve().parents[1] / "seeds" / "000_cb454b6630152dc4.txt"

# The six places of the sample where two bytes of "—" or "’" were lost, each as
# (text just before, replacement, text just after) in the repaired body.
DAMAGED = [
    ("Beijing ", "—", " Chinese President"),
    ("two countries", "’", " strategic partnership"),
    ("each nation", "’", "s stated ambitions"),
    ("Social considerations", "—", "ranging from"),
    ("development benefits", "—", "are essential"),
    ("on the ground", "—", "through trade"),
]


@pytest.fixture(scope="module")
def sample() -> textclean.NormalisedText:
    return normalise(SAMPLE.read_text(encoding="utf-8"))


def test_sample_lost_bytes_are_all_repaired_and_reported(sample):
    body = sample.body
    assert "â" not in body
    lost = [r for r in sample.repairs if r["kind"] == "lost-bytes"]
    damaged = [w for w in sample.warnings if w["kind"] == "damaged-character"]
    assert len(lost) == len(damaged) == 6
    for (before, char, after), repair, warning in zip(
        DAMAGED, lost, damaged, strict=True
    ):
        pos = body.index(before + char + after) + len(before)
        assert repair["position"] == warning["position"] == pos
        assert body[pos] == char == repair["replacement"]
        assert repair["original"] == "â"
        assert body[pos] in repair["context"]
        assert warning["repaired"] is True
        assert warning["length"] == 1
        assert f"repaired as '{char}'" in warning["message"]


def test_sample_has_no_other_changes(sample):
    # Outside the six repaired characters the body is the file itself (the
    # repair replaces one character by one, so offsets never move).
    original = SAMPLE.read_text(encoding="utf-8").rstrip("\n")
    assert len(sample.body) == len(original)
    diffs = [
        i for i, (a, b) in enumerate(zip(original, sample.body, strict=True)) if a != b
    ]
    assert diffs == [r["position"] for r in sample.repairs]


def test_crlf_and_cr_give_the_same_body_as_lf():
    lf = "Title line\nFirst sentence.  \nSecond line.\n\n\n"
    assert normalise(lf.replace("\n", "\r\n")).body == normalise(lf).body
    assert normalise(lf.replace("\n", "\r")).body == normalise(lf).body
    assert normalise(lf).body == "Title line\nFirst sentence.\nSecond line."


def test_leading_blank_lines_and_trailing_spaces_go():
    assert normalise("\n\n  \nHello world.   \t\nBye.\n \n").body == (
        "Hello world.\nBye."
    )


def test_nfc():
    decomposed = "Cafe\u0301 au lait in Zu\u0308rich."
    body = normalise(decomposed).body
    assert body == unicodedata.normalize("NFC", decomposed)
    assert "\u0301" not in body


def test_curly_quotes_and_dashes_are_kept():
    text = "“It’s done,” she said — twice."
    assert normalise(text).body == text


def test_mojibake_is_repaired_with_positions():
    result = normalise("The café opened — finally.".encode().decode("latin-1"))
    assert result.body == "The café opened — finally."
    assert result.repairs and all(r["kind"] == "encoding" for r in result.repairs)
    for repair in result.repairs:
        assert result.body[repair["position"]] == repair["replacement"][:1]


def test_unrepairable_damage_is_warned_not_repaired():
    text = "Bad byte \ufffd here.\nA bell\x07 rings. Tab\tfine."
    result = normalise(text)
    kinds = {(w["position"], w["repaired"]) for w in result.warnings}
    pos = result.body.index("\ufffd")
    assert (pos, False) in kinds
    # ftfy removes the bell; what it leaves is never silently "repaired".
    assert all(not w["repaired"] for w in result.warnings)


def test_accented_words_are_not_damage():
    text = "Le château de Brâncuși est célèbre."
    result = normalise(text)
    assert result.body == text
    assert result.warnings == [] and result.repairs == []


def test_lone_a_circumflex_that_is_ambiguous_is_flagged():
    result = normalise("Paris is nice.\nIt endsâ\nThe end.")
    assert "â" in result.body
    assert [w["repaired"] for w in result.warnings] == [False]
    assert result.body[result.warnings[0]["position"]] == "â"


def test_normalise_refuses_empty_and_oversize():
    with pytest.raises(TextRefused):
        normalise(" \n\t\n")
    with pytest.raises(TextRefused, match="limit"):
        normalise("a" * (MAX_BYTES + 1))


# ---------------------------------------------------------------- decode_upload


def test_decode_utf8_with_and_without_bom():
    text = "Zürich — “quoted”"
    assert decode_upload(text.encode()) == text
    assert decode_upload(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_upload(text.encode("utf-16")) == text


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t  \r\n", b"\xef\xbb\xbf  \n"],
    ids=["empty", "whitespace", "bom-whitespace"],
)
def test_decode_refuses_empty(data):
    with pytest.raises(TextRefused, match="empty"):
        decode_upload(data)


@pytest.mark.parametrize(
    "data",
    [
        b"Some text\x00with a NUL",
        b"%PDF-1.7\n...",
        b"PK\x03\x04 zipped",
        bytes(range(1, 9)) * 50 + b"text",
    ],
    ids=["nul", "pdf", "zip", "controls"],
)
def test_decode_refuses_binary(data):
    with pytest.raises(TextRefused):
        decode_upload(data)


def test_decode_refuses_invalid_utf8_that_is_not_plausible_cp1252():
    # 0x81 and 0x8D are undefined in Windows-1252, and Shift-JIS bytes decode
    # to a soup of symbols: neither is guessed.
    with pytest.raises(TextRefused, match="UTF-8"):
        decode_upload(b"caf\x81 \x8d")
    with pytest.raises(TextRefused, match="UTF-8"):
        decode_upload("日本語のテキストです".encode("shift_jis"))


def test_decode_falls_back_to_cp1252_for_western_text():
    warnings: list[dict] = []
    data = "The café’s “menu” costs €5 — cheap.".encode("cp1252")
    assert decode_upload(data, warnings=warnings) == (
        "The café’s “menu” costs €5 — cheap."
    )
    assert warnings and warnings[0]["kind"] == "encoding-fallback"


def test_decode_refuses_oversize():
    with pytest.raises(TextRefused, match="limit"):
        decode_upload(b"a" * (MAX_BYTES + 1))
    assert decode_upload(b"a" * MAX_BYTES)


# ---------------------------------------------------------------- HTML, Markdown

ARTICLE_HTML = """<!doctype html>
<html><head><title>Port strike ends | Daily Bugle</title>
<script>var tracking = "SECRET-SCRIPT-TEXT";</script>
<style>body { color: red }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Port strike ends after 12 days</h1>
<p>The dock workers' union said on Monday that 4,000 members would return to
work on Tuesday after a 12-day strike that halted most container traffic.</p>
<h2>What the deal includes</h2>
<ul><li>A 6% pay rise over two years.</li><li>New safety rules for night
shifts.</li></ul>
<p>Port officials said cargo volumes fell 30% during the strike, according to
figures released by the harbour authority.</p>
</article>
<footer>Copyright 2024 Daily Bugle. All rights reserved.</footer>
</body></html>"""


def test_html_to_text_keeps_article_structure_without_scripts():
    title, text = html_to_text(ARTICLE_HTML)
    assert title and "Port strike ends" in title
    assert "SECRET-SCRIPT-TEXT" not in text and "color: red" not in text
    lines = text.split("\n")
    assert "What the deal includes" in lines
    assert any(line.startswith("The dock workers' union said") for line in lines)
    assert "- A 6% pay rise over two years." in lines
    assert any("cargo volumes fell 30%" in line for line in lines)


def test_html_to_text_falls_back_for_tiny_pages():
    title, text = html_to_text(
        "<html><head><title>T</title><script>alert('x')</script></head>"
        "<body><p>Tiny page with one sentence here.</p></body></html>"
    )
    assert "Tiny page with one sentence here." in text
    assert "alert" not in text


def test_markdown_to_text():
    md = (
        "# The *big* story\n\n"
        "Officials **said** the [budget](https://example.org/b) rose\n"
        "by 5% in `2023`.\n\n"
        "## Details\n\n"
        "* first item\n"
        "+ second item\n"
        "1. third item\n\n"
        "> A quoted line.\n\n"
        "---\n\n"
        "snake_case_name stays.\n"
    )
    assert markdown_to_text(md) == (
        "The big story\n\n"
        "Officials said the budget rose by 5% in 2023.\n\n"
        "Details\n\n"
        "- first item\n- second item\n- third item\n\n"
        "A quoted line.\n\n"
        "snake_case_name stays."
    )
