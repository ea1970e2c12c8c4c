"""Input no database column can hold, found before any view runs.

Pure checks (no ORM) that ``middleware.RefuseUnstorableInputMiddleware`` applies to
every request. Each returns a sentence naming the problem, or None.

- NUL characters: PostgreSQL refuses them in text (a filter holding one is a 500
  deep inside a view), and no field of the desk has a use for them.
- Lone surrogates (``"\\ud800"`` in a JSON string): not Unicode, so PostgreSQL
  cannot encode them. Query strings and forms cannot carry them (Django decodes
  those with replacement characters); JSON escapes can.
- Whole numbers outside the signed 64-bit range: no integer column holds them
  (SQLite raises OverflowError, PostgreSQL a DataError). In a JSON body that is
  any number; in a query string or form it is any value made only of digits,
  so a 20-digit text field is refused too. Passwords are exempt: they are never
  stored as given, and a long digit passphrase is a fair choice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def oversize(value: int) -> bool:
    return not INT64_MIN <= value <= INT64_MAX


def _bad_text(value: str) -> str | None:
    found = _BAD_CHARS.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character, which no field accepts"
    return "a lone surrogate (not valid Unicode), which no field accepts"


def _oversize_digits(value: str) -> bool:
    """A form or query value made only of digits, beyond 64 bits."""
    text = value.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) < 19:
        return False
    if len(digits) > 19:
        return True
    return oversize(int(text))  # 19 digits: int() is exact and cheap


def in_params(params: Iterable[tuple[str, list[str]]]) -> str | None:
    """The problem with a QueryDict's ``lists()`` (query string or form), if any."""
    for key, values in params:
        for text in (key, *values):
            problem = _bad_text(text)
            if problem:
                return f"The field {_shown(key)} holds {problem}."
        if "password" in key.lower():
            continue
        if any(_oversize_digits(value) for value in values):
            return (
                f"The field {_shown(key)} holds a whole number beyond the 64-bit "
                "range, which no field accepts."
            )
    return None


def in_path(path: str) -> str | None:
    problem = _bad_text(path)
    return f"The address holds {problem}." if problem else None


class _Oversize(int):
    """A JSON integer too big for any column, marked while parsing (``int()`` of a
    very long digit string is slow and refused beyond 4,300 digits)."""


def _parse_int(text: str) -> int:
    digits = text.lstrip("-").lstrip("0")
    if len(digits) > 19 or (len(digits) == 19 and oversize(int(text))):
        return _Oversize(0)
    return int(text)


def in_json(body: bytes) -> str | None:
    """The problem with a JSON body, if any. A body that does not parse is not
    ours to judge: the view answers it (the API with a 400)."""
    try:
        data = json.loads(body, parse_int=_parse_int)
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        return None
    except RecursionError:
        return "The JSON body is nested too deeply."
    try:
        return _in_json_value(data, "")
    except RecursionError:
        return "The JSON body is nested too deeply."


def _in_json_value(value: object, where: str) -> str | None:
    if isinstance(value, str):
        problem = _bad_text(value)
        return (
            f"The field {_shown(where or 'body')} holds {problem}." if problem else None
        )
    if isinstance(value, _Oversize):
        return (
            f"The field {_shown(where or 'body')} holds a whole number beyond the "
            "64-bit range, which no field accepts."
        )
    if isinstance(value, dict):
        items: Iterable[tuple[str, object]] = value.items()
    elif isinstance(value, list):
        items = ((str(n), item) for n, item in enumerate(value))
    else:
        return None
    for key, item in items:
        problem = _bad_text(key)
        if problem:
            return f"A field name holds {problem}."
        found = _in_json_value(item, f"{where}.{key}" if where else key)
        if found:
            return found
    return None


def _shown(name: str) -> str:
    """A field name fit for the message (itself possibly hostile)."""
    clean = _BAD_CHARS.sub("\N{REPLACEMENT CHARACTER}", name)
    return repr(clean[:60])
