"""Turn raw uploads and pasted text into the normalised article body.

Responsibility: everything between "bytes or a string arrived" and "this is the
body that claim offsets point into". Pure Python, no Django import.

Invariants:

* ``normalise(raw).body`` is the only text claims may point into: newlines are
  ``\\n``, lines carry no trailing whitespace, there are no leading or trailing
  blank lines, the text is NFC.
* Every ``position`` in ``NormalisedText.repairs`` and ``.warnings`` is an offset
  into that final body (the last step, the lost-bytes repair, replaces one
  character with one character, so offsets found after it never move).
* Text is refused (``TextRefused``, with a message fit to show a journalist)
  rather than stored half-broken: empty text, binary data, undecodable bytes,
  text over ``MAX_BYTES``.

Encoding decision for uploads (``decode_upload``): UTF-8 (with or without BOM)
is decoded strictly; UTF-16 is accepted only with a BOM. Bytes that are not
valid UTF-8 fall back to Windows-1252 only when that decode is strict *and*
plausible (few high bytes, all of them Western-European letters or typographic
punctuation), which is what Word's "Save as plain text" produces on Windows.
Anything else is refused rather than silently turned into mojibake.
"""

from __future__ import annotations

import codecs
import difflib
import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

__all__ = [
    "MAX_BYTES",
    "NormalisedText",
    "TextRefused",
    "decode_upload",
    "html_to_text",
    "markdown_to_text",
    "normalise",
]

MAX_BYTES = 1_000_000


class TextRefused(ValueError):
    """The input cannot become an article; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class NormalisedText:
    body: str
    warnings: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------------
# Decoding uploads

# Magic numbers of formats people upload by mistake: a specific message helps more
# than "binary data".
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a Word/ZIP document"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)

# Control characters that never belong in prose (tab, LF, VT, FF, CR are allowed).
_BINARY_CONTROL = frozenset(
    set(range(0x00, 0x09)) | {0x0E, 0x0F} | set(range(0x10, 0x20))
)
# More than this share of control bytes means the file is not text.
_BINARY_CONTROL_RATIO = 0.01

# What a Windows-1252 text file written by a Western-European newsroom contains
# beyond ASCII: Latin-1 letters and typographic punctuation. Characters such as
# "¤¦¨¬¯´¸¹²³¼½¾" show up mostly when some other encoding is misread as cp1252.
_CP1252_PLAUSIBLE = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
    "ŒœŠšŸŽžƒ‘’‚“”„–—…•€™©®°±×÷£¥§¶·«»¡¿ \u00a0†‡‰‹›ˆ˜¢µ"
)
# A plausible cp1252 text is mostly ASCII (Cyrillic or Greek read as cp1252 is
# almost all "accented letters").
_CP1252_MAX_HIGH_RATIO = 0.30


def _describe_size(n: int) -> str:
    return f"{n / 1000:,.0f} KB" if n >= 1000 else f"{n} bytes"


def decode_upload(
    data: bytes, *, warnings: list[dict] | None = None, max_bytes: int = MAX_BYTES
) -> str:
    """Decode an uploaded text file, or raise ``TextRefused`` with a clear message.

    If ``warnings`` is given, a note is appended when the Windows-1252 fallback
    was used, so the caller can show it next to the article's other warnings.
    """
    if len(data) > max_bytes:
        raise TextRefused(
            f"The file is {_describe_size(len(data))}; the limit is "
            f"{_describe_size(max_bytes)}. Split the article or paste the text."
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise TextRefused(
                f"This looks like {what}, not plain text. Upload a .txt, .md or "
                ".html file, or paste the article text."
            )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 contains NUL bytes by design, so it is decoded before the
        # binary check; only with a BOM, since guessing UTF-16 is unreliable.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TextRefused(
                "The file says it is UTF-16 but contains invalid bytes."
            ) from exc
    else:
        if b"\x00" in data:
            raise TextRefused(
                "The file contains binary data (NUL bytes), not text. Upload a "
                ".txt, .md or .html file."
            )
        text = _decode_bytes(data, warnings)
    controls = sum(1 for ch in text if ord(ch) in _BINARY_CONTROL)
    if text and controls / len(text) > _BINARY_CONTROL_RATIO:
        raise TextRefused(
            "The file contains too many control characters to be text; it looks "
            "like binary data."
        )
    if not text.strip():
        raise TextRefused("The file is empty: there is no text to check.")
    return text


def _decode_bytes(data: bytes, warnings: list[dict] | None) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")  # strict: 0x81, 0x8D, 0x8F, 0x90, 0x9D fail
    except UnicodeDecodeError:
        text = None
    if text is not None:
        high = [ch for ch in text if ord(ch) > 0x7F]
        if len(high) <= _CP1252_MAX_HIGH_RATIO * len(text) and all(
            ch in _CP1252_PLAUSIBLE for ch in high
        ):
            if warnings is not None:
                warnings.append(
                    {
                        "kind": "encoding-fallback",
                        "position": None,
                        "length": 0,
                        "message": "The file is not UTF-8; it was read as "
                        "Windows-1252 (Western European). Check accented letters "
                        "and quotes.",
                        "repaired": True,
                    }
                )
            return text
    raise TextRefused(
        "The file is not valid UTF-8 text (invalid byte at position "
        f"{utf8_error.start}) and no safe fallback applies. Save it as UTF-8 "
        "and upload it again."
    )


# --------------------------------------------------------------------------------
# Normalising

_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # the desk quotes people: keep typographic quotes
    fix_line_breaks=False,  # newlines are already normalised; keep line structure
    explain=False,
)

_TRAILING_WS = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u3000]+$", re.MULTILINE)

# The lost-bytes damage (see module docstring of normalise): "â" (U+00E2) is the
# first byte 0xE2 of "—" (E2 80 94) or "’" (E2 80 99) read as Latin-1 after the
# two continuation bytes were lost. Only unambiguous contexts are repaired.
_APOSTROPHE_S = re.compile(r"(?<=[A-Za-z])â(?=s\b)")  # nationâs -> nation’s
# countriesâ strategic -> countries’ strategic: only before a lower-case word, as
# "sâ" at a line end or before punctuation could as well have been a dash.
_PLURAL_POSSESSIVE = re.compile(r"(?<=[a-z]s)â(?= [a-z])")
_SPACED_DASH = re.compile(r"(?<=[ \t])â(?=[ \t])")  # Beijing â Chinese
# Glued between two words: considerationsâranging. Both sides must be ordinary
# lower-case words of 3+ letters, so "château" or "Brâncuși" never match.
_GLUED_DASH = re.compile(r"(?<=[a-z]{3})â(?=[a-z]{3})")
_ANY_LONE_A_CIRC = re.compile(r"â")
# Non-ASCII letters other than "â" tell us the text may legitimately use "â".
_OTHER_ACCENTED = re.compile(r"[À-ÖØ-áã-öø-ÿĀ-ſ]")

_MOJIBAKE = re.compile(
    r"[ÃÂâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"  # UTF-8 read as cp1252/Latin-1
)
_CONTROL = re.compile(
    "[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f"  # C0 (minus \t \n \f) and C1
    "\u202a-\u202e\u2066-\u2069]"  # bidi overrides can disguise text
)
_REPLACEMENT_CHAR = "\ufffd"


def normalise(raw: str, *, max_bytes: int = MAX_BYTES) -> NormalisedText:
    """Normalise pasted or decoded text into the article body.

    Steps, in order: newlines to ``\\n``; Unicode NFC; ftfy (keeping curly quotes
    and line breaks); trailing whitespace off every line and blank lines off both
    ends; the lost-bytes repair; then a scan for damage that could not be
    repaired safely. Raises ``TextRefused`` for empty or oversize text.
    """
    # Characters are at most 4 UTF-8 bytes: only long texts need the encode.
    if len(raw) * 4 > max_bytes:
        size = len(raw.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise TextRefused(
                f"The text is {_describe_size(size)}; the limit is "
                f"{_describe_size(max_bytes)}. Split the article."
            )
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    baseline = _strip_layout(text)
    fixed = _strip_layout(ftfy.fix_text(text, config=_FTFY_CONFIG))
    if not fixed.strip():
        raise TextRefused("The text is empty: there is nothing to check.")

    repairs = _diff_repairs(baseline, fixed) if fixed != baseline else []
    body, lost = _repair_lost_bytes(fixed)
    warnings: list[dict] = []
    for rep in lost:
        warnings.append(
            {
                "kind": "damaged-character",
                "position": rep["position"],
                "length": 1,
                "message": "A lone 'â' was left where a dash or apostrophe was "
                f"lost; repaired as '{rep['replacement']}'",
                "repaired": True,
            }
        )
    repairs.extend(lost)
    repairs.sort(key=lambda r: (r["position"] is None, r["position"] or 0))
    warnings.extend(_scan_damage(body))
    warnings.sort(key=lambda w: (w["position"] is None, w["position"] or 0))
    return NormalisedText(body=body, warnings=warnings, repairs=repairs)


def _strip_layout(text: str) -> str:
    text = _TRAILING_WS.sub("", text)
    # Leading blank lines go, but the first line's indentation is content.
    return text.strip("\n")


def _context(text: str, pos: int, radius: int = 10) -> str:
    return text[max(0, pos - radius) : pos + radius + 1]


def _diff_repairs(before: str, after: str) -> list[dict]:
    """Describe what ftfy changed, with positions in ``after``.

    Compared line by line (ftfy is told not to touch line breaks), so the diff
    stays linear in the text length; only changed lines get a character diff.
    """
    old_lines, new_lines = before.split("\n"), after.split("\n")
    if len(old_lines) != len(new_lines):
        return [
            {
                "kind": "encoding",
                "original": None,
                "replacement": None,
                "position": None,
                "context": "",
            }
        ]
    repairs: list[dict] = []
    offset = 0
    for old, new in zip(old_lines, new_lines, strict=True):
        if old != new:
            matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    continue
                repairs.append(
                    {
                        "kind": "encoding",
                        "original": old[i1:i2],
                        "replacement": new[j1:j2],
                        "position": offset + j1,
                        "context": _context(after, offset + j1),
                    }
                )
        offset += len(new) + 1
    return repairs


def _repair_lost_bytes(text: str) -> tuple[str, list[dict]]:
    if "â" not in text:  # fast path: almost every article
        return text, []
    # A lone "â" glued inside a word is only read as damage when the text shows
    # no sign of being in a language that uses accented letters legitimately,
    # or when the unambiguous forms prove the same damage elsewhere.
    chars = list(text)
    replaced: dict[int, str] = {}
    for pattern, replacement in (
        (_APOSTROPHE_S, "’"),
        (_PLURAL_POSSESSIVE, "’"),
        (_SPACED_DASH, "—"),
    ):
        for m in pattern.finditer(text):
            replaced.setdefault(m.start(), replacement)
    if replaced or not _OTHER_ACCENTED.search(text):
        for m in _GLUED_DASH.finditer(text):
            replaced.setdefault(m.start(), "—")
    repairs = []
    for pos in sorted(replaced):
        chars[pos] = replaced[pos]
    body = "".join(chars)
    for pos in sorted(replaced):
        repairs.append(
            {
                "kind": "lost-bytes",
                "original": "â",
                "replacement": replaced[pos],
                "position": pos,
                "context": _context(body, pos),
            }
        )
    return body, repairs


def _scan_damage(body: str) -> list[dict]:
    """Warnings for damage left in the body (nothing here is repaired)."""
    warnings: list[dict] = []
    seen: set[int] = set()

    def add(pos: int, length: int, message: str) -> None:
        if pos in seen:
            return
        seen.add(pos)
        warnings.append(
            {
                "kind": "damaged-character",
                "position": pos,
                "length": length,
                "message": message,
                "repaired": False,
            }
        )

    if _REPLACEMENT_CHAR in body:
        for m in re.finditer(_REPLACEMENT_CHAR, body):
            add(
                m.start(),
                1,
                "A replacement character '\ufffd' marks bytes that could not be "
                "decoded; the original character is lost",
            )
    for m in _MOJIBAKE.finditer(body):
        add(
            m.start(),
            2,
            f"'{m.group()}' looks like mis-decoded text (mojibake) that could not "
            "be repaired safely",
        )
    if "â" in body:
        for m in _ANY_LONE_A_CIRC.finditer(body):
            before = body[m.start() - 1 : m.start()]
            after = body[m.end() : m.end() + 1]
            # Inside an accented word ("château") it is probably legitimate.
            if not (before.isalpha() and after.isalpha()):
                add(
                    m.start(),
                    1,
                    "A lone 'â' may be left where a dash or apostrophe was lost; "
                    "not repaired automatically",
                )
    for m in _CONTROL.finditer(body):
        add(
            m.start(),
            1,
            f"Invisible control character U+{ord(m.group()):04X} in the text",
        )
    return warnings


# --------------------------------------------------------------------------------
# HTML and Markdown

_HTML_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
)
_HTML_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote pre tr section article main figcaption "
    "dt dd br hr table ul ol".split()
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def html_to_text(html: str) -> tuple[str | None, str]:
    """Reduce an HTML page to ``(title, article text)``.

    trafilatura finds the article (dropping navigation, scripts, boilerplate) and
    writes paragraphs, headings and list items (``- ``) on separate lines. Short
    pages that trafilatura declines fall back to a plain text dump of the block
    elements, still without scripts, styles or navigation.
    """
    import trafilatura  # imported lazily: costly, and only HTML uploads need it

    title: str | None = None
    text = ""
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            favor_recall=True,
        )
    except Exception:  # noqa: BLE001 - a parser crash must not lose the upload
        doc = None
    if doc is not None:
        title = (getattr(doc, "title", None) or "").strip() or None
        text = getattr(doc, "text", None) or ""
    if not text.strip():
        fallback_title, text = _html_dump(html)
        title = title or fallback_title
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return title, "\n".join(line for line in lines if line)


def _html_dump(html: str) -> tuple[str | None, str]:
    try:
        import lxml.html

        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - empty or unparsable: use html.parser
        return None, _html_dump_stdlib(html)
    title_el = root.find(".//title")
    title = title_el.text_content().strip() if title_el is not None else None
    for el in root.iter(*_HTML_DROP, "title", "head"):
        el.drop_tree()
    parts: list[str] = []

    def walk(el) -> None:  # noqa: ANN001 - lxml element
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _HTML_BLOCKS
        if block:
            parts.append("\n")
        if tag == "li":
            parts.append("- ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return title or None, "".join(parts)


def _html_dump_stdlib(html: str) -> str:
    from html.parser import HTMLParser

    class Dump(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag in _HTML_DROP or tag == "title":
                self.skip += 1
            elif tag in _HTML_BLOCKS:
                self.parts.append("\n- " if tag == "li" else "\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in _HTML_DROP or tag == "title":
                self.skip = max(0, self.skip - 1)
            elif tag in _HTML_BLOCKS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Dump()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_CODE = re.compile(r"`+([^`]+?)`+")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# Single * or _ emphasis; "_" only at word edges so snake_case survives.
_MD_EM_STAR = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")
_MD_EM_UNDER = re.compile(r"(?<![_\w])_(?=\S)(.+?)(?<=\S)_(?![_\w])")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM_STAR.sub(r"\1", text)
    text = _MD_EM_UNDER.sub(r"\1", text)
    text = _MD_STRIKE.sub(r"\1", text)
    return _MD_ESCAPE.sub(r"\1", text)


def markdown_to_text(md: str) -> str:
    """Strip Markdown syntax so the body reads as plain text.

    Headings lose their markers, emphasis/code markers go, links keep their text,
    every list marker becomes ``- ``, and a paragraph's soft-wrapped lines are
    joined (in Markdown a single newline inside a paragraph is a space). Each
    heading, list item and paragraph ends up on its own line, which is the
    structure ``factcheck.extraction`` reads.
    """
    md = md.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    # What the last emitted line is: a paragraph can absorb soft-wrapped lines,
    # a list item its indented continuation lines.
    last_kind = "blank"
    in_fence = False
    for raw_line in md.split("\n"):
        if _MD_FENCE.match(raw_line):
            in_fence = not in_fence
            last_kind = "blank"
            continue
        if in_fence:
            out.append(raw_line.rstrip())
            last_kind = "code"
            continue
        line = html_lib.unescape(raw_line) if "&" in raw_line else raw_line
        if not line.strip():
            out.append("")
            last_kind = "blank"
            continue
        if _MD_REFDEF.match(line):
            continue
        if _MD_SETEXT.match(line) and last_kind == "para":
            last_kind = "heading"  # underline of the previous line: drop it
            continue
        if _MD_RULE.match(line):
            out.append("")
            last_kind = "blank"
            continue
        heading = _MD_ATX.match(line)
        if heading:
            out.append(_md_inline(heading.group(1) or "").strip())
            last_kind = "heading"
            continue
        line = _MD_QUOTE.sub("", line)
        bullet = _MD_BULLET.match(line)
        if bullet:
            out.append("- " + _md_inline(line[bullet.end() :]).strip())
            last_kind = "item"
            continue
        text = _md_inline(line).strip()
        if last_kind in ("para", "item") and out:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
            last_kind = "para"
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
