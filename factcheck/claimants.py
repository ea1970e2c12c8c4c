"""Who made a claim: a suggestion from the text, for ``workflow.create_article``.

Pure (no Django import, no database) and cheap (a few regular expressions per
sentence), so ingestion can suggest a claimant for every new claim. The word lists
are data: ``data/claimants.toml``.

Where the suggestion comes from, in this order:

1. the speaker turn the sentence sits in, when the text is a transcript: at least two
   lines open with a speaker label (``SENATOR SMITH:``, ``Jane Doe:``), and a label
   holds until the next one. In a debate or an interview the speaker makes the claim,
   even when citing someone else. An anonymous label (``MODERATOR:``, ``Q:``) names
   nobody, so its turn falls through to the next source;
2. the sentence's own attribution: "X said / told / claimed / announced …",
   "…, X said", "…," said X", "according to X", "X's spokesperson said",
   "a spokesperson for X said". The earliest attribution in the sentence decides.

Invariants: a pronoun, an indefinite ("a senior official") or a generic plural
("officials", "experts", "critics") is never a claimant: the answer is None, not a
guess. A suggested name has at most ``MAX_NAME`` characters and its ``kind`` is
"person" or "organisation" (organisation words, acronyms and "The X" forms make an
organisation; a job title makes a person, its role taken from the title or from an
appositive: "Jane Doe, the finance minister, said").
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "Suggestion",
    "Turns",
    "guess_kind",
    "speaker_turns",
    "suggest",
    "suggest_for",
]

DATA_PATH = Path(__file__).resolve().parent / "data" / "claimants.toml"
MAX_NAME = 200
MAX_ROLE = 200
PERSON, ORGANISATION = "person", "organisation"
# Words that may join the parts of a name: "Bank of England", "Ludwig van Beethoven".
_CONNECTORS = frozenset(
    ["of", "for", "and", "&", "de", "del", "della", "da", "di", "du", "des", "la"]
    + ["le", "van", "von", "der", "den", "al", "bin", "ibn", "y", "the"]
)
# A name never runs on into a weekday: "said Jane Doe Tuesday".
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"}
)
# What ends the clause a subject stands in (an apostrophe does not: possessives).
_BOUNDARY = re.compile(r"""[,;:"()\[\]—–]|\s-\s""")
_TERMINAL = re.compile(r"[.!?…]")
# A speaker label at the start of a line, after an optional [timestamp], with an
# optional parenthesis after it: "SMITH (via video): ...".
_LABEL = re.compile(
    r"^[ \t]*(?:\[[^\]\n]{1,24}\][ \t]*)?(?P<label>[^\W\d_][^\n:()]{0,60}?)[ \t]*"
    r"(?:\([^)\n]{1,40}\)[ \t]*)?:[ \t]+(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_VAGUE = "vague"  # an attribution that names nobody: stop looking, answer None


@dataclass(frozen=True)
class Suggestion:
    name: str
    kind: str  # "person" | "organisation"
    role: str = ""
    via: str = "attribution"  # "attribution" | "speaker"


@dataclass(frozen=True)
class _Words:
    speech_verbs: frozenset[str]
    subject_trailers: frozenset[str]
    passive_markers: frozenset[str]
    subject_openers: frozenset[str]
    vague_subjects: frozenset[str]
    organisation_words: frozenset[str]
    person_titles: frozenset[str]
    spokes_words: tuple[tuple[str, ...], ...]
    source_nouns: tuple[str, ...]
    not_speaker_words: frozenset[str]
    vague_speakers: frozenset[str]
    verb_pattern: re.Pattern


@lru_cache(maxsize=2)
def _words(path: Path = DATA_PATH) -> _Words:
    with path.open("rb") as fh:
        table = tomllib.load(fh)
    sets = {
        name: frozenset(table[name])
        for name in (
            "speech_verbs",
            "subject_trailers",
            "passive_markers",
            "subject_openers",
            "vague_subjects",
            "organisation_words",
            "person_titles",
            "not_speaker_words",
            "vague_speakers",
        )
    }
    verbs = "|".join(sorted(sets["speech_verbs"], key=len, reverse=True))
    return _Words(
        **sets,
        spokes_words=tuple(tuple(w.split()) for w in table["spokes_words"]),
        source_nouns=tuple(sorted(table["source_nouns"], key=len, reverse=True)),
        verb_pattern=re.compile(rf"\b(?:{verbs})\b"),
    )


# --- Tokens ----------------------------------------------------------------------


def _key(token: str) -> str:
    """A token as the word lists spell it: lower case, no possessive, no dots."""
    key = token.lower().strip(".,;:!?\"()[]'")
    if key.endswith("'s"):
        key = key[:-2]
    return key.rstrip(".")


def _is_cap(token: str) -> bool:
    first = next((ch for ch in token if ch.isalpha()), "")
    return first.isupper()


def _is_acronym(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return 2 <= len(letters) <= 6 and all(ch.isupper() for ch in letters)


def _clean_tokens(text: str) -> list[str]:
    tokens = []
    for raw in text.split():
        token = raw.strip(',;:"()[]').lstrip("'")
        # A long word's final dot ends the sentence; a short one is an abbreviation.
        if token.endswith(".") and len(token) > 4 and not _is_acronym(token):
            token = token.rstrip(".")
        if token:
            tokens.append(token)
    return tokens


def _is_vague_word(token: str) -> bool:
    return _key(token) in _words().vague_subjects and not _is_acronym(token)


# --- Noun phrases ----------------------------------------------------------------


def _kind(tokens: list[str], definite: bool) -> str:
    w = _words()
    keys = [_key(t) for t in tokens]
    if any(k in w.organisation_words for k in keys):
        return ORGANISATION
    if any(_is_acronym(t) for t in tokens):
        return ORGANISATION
    if definite and keys[-1] not in w.person_titles:
        return ORGANISATION
    return PERSON


def _proper_sequence(body: list[str]) -> bool:
    """Capitalised words, joined by connectors, maybe after lower-case job titles."""
    w = _words()
    has_org = any(_key(t) in w.organisation_words for t in body)
    for i, token in enumerate(body):
        key = _key(token)
        if key in _WEEKDAYS:
            return False
        if _is_cap(token):
            continue
        last = i == len(body) - 1
        if token.lower() in _CONNECTORS and 0 < i and not last:
            if token.lower() in ("and", "&") and not has_org:
                return False  # "Jane Doe and John Roe": two claimants, not one
            continue
        if key in w.person_titles and not last:
            continue  # "finance minister Jane Doe"
        return False
    return True


def _proper_name(body: list[str], *, definite: bool, keep_the: bool) -> Suggestion:
    """A proper name; a person's leading job title becomes the role."""
    w = _words()
    run = 0  # the trailing words that are neither titles nor organisation words
    for token in reversed(body):
        key = _key(token)
        if (
            _is_cap(token)
            and not _is_acronym(token)
            and key not in w.person_titles
            and key not in w.organisation_words
            and token.lower() not in _CONNECTORS
        ):
            run += 1
        else:
            break
    role_part = body[: len(body) - run]
    if run >= 2 and role_part and any(_key(t) in w.person_titles for t in role_part):
        return Suggestion(" ".join(body[-run:]), PERSON, role=" ".join(role_part))
    name = " ".join(body)
    if keep_the:
        name = "The " + name
    return Suggestion(name, _kind(body, definite))


def _spokes(tokens: list[str]):
    """ "X's spokesperson", "a spokesperson for X", "a ministry spokesperson" -> X."""
    w = _words()
    lowered = [t.lower() for t in tokens]
    for i, token in enumerate(tokens[:-1]):
        if lowered[i].endswith(("'s", "s'")) and any(
            tuple(lowered[i + 1 : i + 1 + len(s)]) == s for s in w.spokes_words
        ):
            owner = [*tokens[:i], token[:-2] if token.endswith("s") else token[:-1]]
            return _spokes_owner(_noun_phrase(owner))
    if len(tokens) < 2 or lowered[0] not in ("a", "an", "the"):
        return None
    for spokes in w.spokes_words:
        n = len(spokes)
        if tuple(lowered[1 : 1 + n]) == spokes and len(tokens) > n + 2:
            if lowered[1 + n] in ("for", "of", "at"):
                return _spokes_owner(_noun_phrase(tokens[2 + n :]))
        if tuple(lowered[-n:]) == spokes and len(tokens) > n + 1:
            middle = tokens[1:-n]
            owner = middle if _is_cap(middle[0]) else ["the", *middle]
            return _spokes_owner(_noun_phrase(owner))
    return None


def _spokes_owner(found):
    """Who has a spokesperson: an organisation, unless a person is plainly named."""
    if isinstance(found, Suggestion) and " " not in found.name and not found.role:
        return Suggestion(found.name, ORGANISATION, via=found.via)
    return found


def _noun_phrase(tokens: list[str], *, at_start: bool = False):
    """The claimant a subject names: a ``Suggestion``, ``_VAGUE`` or None (no name).

    ``at_start``: the phrase opens the sentence, so a capital "The" may be only the
    sentence's first letter.
    """
    w = _words()
    tokens = list(tokens)
    while tokens and tokens[0].lower() in w.subject_openers:
        tokens.pop(0)
        at_start = False
    while tokens and tokens[-1].islower() and _key(tokens[-1]) in w.subject_trailers:
        tokens.pop()
    if not tokens or len(tokens) > 10:
        return None
    if tokens[-1].islower() and _key(tokens[-1]) in w.passive_markers:
        return None  # "it was said": nobody is named
    if len(tokens) == 1 and _is_vague_word(tokens[0]):
        return _VAGUE
    spokes = _spokes(tokens)
    if spokes is not None:
        return spokes
    first = tokens[0].lower()
    if first in ("a", "an"):
        return _VAGUE  # "a senior official said"
    definite = first == "the"
    body = tokens[1:] if definite else tokens
    if not body or any(ch.isdigit() for t in body for ch in t):
        return None
    head = body[-1]
    head_key = _key(head)
    if _is_cap(head):
        if not _proper_sequence(body):
            return None
        if len(body) == 1 and _is_vague_word(head):
            return _VAGUE
        keep_the = definite and tokens[0] == "The" and not at_start
        return _proper_name(body, definite=definite, keep_the=keep_the)
    # A common noun: "the ministry", "the finance minister", "China's foreign ministry".
    if head_key in w.vague_subjects or (
        head_key.endswith("s")
        and head_key not in w.organisation_words
        and head_key not in w.person_titles
    ):
        return _VAGUE  # "senior officials", "local residents"
    if head_key not in w.organisation_words and head_key not in w.person_titles:
        return None
    if not definite and not any(_is_cap(t) for t in body[:-1]):
        return None
    if len(body) > 5 or not all(re.fullmatch(r"[^\W\d_][\w'-]*", t) for t in body):
        return None
    words = (["the"] if definite else []) + body
    name = " ".join(words)
    name = name[0].upper() + name[1:]
    if head_key in w.person_titles and head_key not in w.organisation_words:
        return Suggestion(name, PERSON)
    return Suggestion(name, ORGANISATION)


def _with_role(found, appositive: str):
    """Add the role an appositive gives ("Jane Doe, the finance minister, said")."""
    if not isinstance(found, Suggestion) or found.role:
        return found
    words = appositive.split()
    if not words or len(words) > 12 or any(ch.isdigit() for ch in appositive):
        return found
    first = words[0]
    if not (
        first.lower() in ("the", "a", "an")
        or _key(first) in _words().person_titles
        or (_is_cap(first) and first.lower() not in _words().subject_openers)
    ):
        return found  # "in a statement", "however", "who leads the party"
    if first.lower() in ("the", "a", "an"):
        words = words[1:]
    role = " ".join(words)
    if not role or len(role) > MAX_ROLE:
        return found
    return Suggestion(found.name, found.kind, role=role, via=found.via)


def _last_boundary(text: str) -> re.Match | None:
    last = None
    for last in _BOUNDARY.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    return last


# --- Attribution in the sentence -------------------------------------------------


def _subject_before(before: str):
    """The subject in front of a speech verb: "The ministry said", "…, X said"."""
    stripped = before.rstrip()
    if not stripped:
        return None
    boundary = _last_boundary(stripped)
    segment = stripped[boundary.end() :] if boundary else stripped
    if segment.strip():
        return _noun_phrase(_clean_tokens(segment), at_start=boundary is None)
    if not stripped.endswith(","):
        return None
    # "Jane Doe, the finance minister, said": a subject, then an appositive.
    inner = stripped[:-1]
    boundary = _last_boundary(inner)
    if boundary is None or boundary.group() != ",":
        return None
    appositive = inner[boundary.end() :].strip()
    head = inner[: boundary.start()]
    outer = _last_boundary(head)
    segment = head[outer.end() :] if outer else head
    found = _noun_phrase(_clean_tokens(segment), at_start=outer is None)
    return _with_role(found, appositive)


def _phrase_after(rest: str):
    """The claimant named right after "according to" or an inverted "said"."""
    rest = rest.lstrip()
    low = rest.lower()
    for noun in _words().source_nouns:  # "according to data from X"
        match = re.match(
            rf"{re.escape(noun)}\s+(?:from|by|of|published by|released by)\s+", low
        )
        if match:
            rest = rest[match.end() :]
            break
    clause = _BOUNDARY.split(rest, maxsplit=1)
    tokens = _clean_tokens(clause[0])[:10]
    for size in range(len(tokens), 0, -1):
        found = _noun_phrase(tokens[:size])
        if found is None:
            continue
        if size == len(tokens) and len(clause) > 1 and rest[len(clause[0])] == ",":
            after = _BOUNDARY.split(clause[1], maxsplit=1)[0]
            if not after.strip().endswith(("said", "says")):
                found = _with_role(found, after.strip().rstrip("."))
        return found
    return None


def _attribution(sentence: str):
    text = sentence.translate(_QUOTES)
    found: list[tuple[int, object]] = []
    for match in _words().verb_pattern.finditer(text):
        before = text[: match.start()]
        outcome = _subject_before(before)
        if outcome is None and before.rstrip().endswith((",", '"', "'")):
            outcome = _phrase_after(text[match.end() :])  # '"…," said the ministry'
        if outcome is not None:
            found.append((match.start(), outcome))
            break
    for match in re.finditer(r"\baccording to\s+", text, re.IGNORECASE):
        outcome = _phrase_after(text[match.end() :])
        if outcome is not None:
            found.append((match.start(), outcome))
            break
    if not found:
        return None
    return min(found, key=lambda pair: pair[0])[1]


def _valid(found) -> Suggestion | None:
    if not isinstance(found, Suggestion):
        return None
    name = " ".join(found.name.split())
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        return None
    if any(unicodedata.category(ch).startswith("C") for ch in name + found.role):
        return None  # control or formatting characters never make a public name
    if name == found.name:
        return found
    return Suggestion(name, found.kind, found.role, found.via)


def guess_kind(name: str) -> str:
    """ "person" or "organisation" for a name typed by hand (the same rules)."""
    tokens = _clean_tokens(name)
    definite = len(tokens) > 1 and tokens[0].lower() == "the"
    body = tokens[1:] if definite else tokens
    return _kind(body, definite) if body else PERSON


def suggest(sentence: str) -> Suggestion | None:
    """The claimant the sentence's own attribution names, or None."""
    return _valid(_attribution(sentence or ""))


# --- Transcripts -----------------------------------------------------------------


def _title_case(token: str) -> str:
    return token.lower() if token.lower() in _CONNECTORS else token.title()


def _speaker(label: str):
    """A label's claimant, ``_VAGUE`` (an anonymous label) or None (not a label)."""
    w = _words()
    tokens = label.split()
    if not 1 <= len(tokens) <= 5 or any(ch.isdigit() for ch in label):
        return None
    keys = [_key(t) for t in tokens]
    if any(k in w.not_speaker_words for k in keys):
        return None
    if not _is_cap(tokens[0]) or not all(
        _is_cap(t) or t.lower() in _CONNECTORS for t in tokens
    ):
        return None
    if all(k in w.vague_speakers for k in keys):
        return _VAGUE
    if not any(ch.islower() for ch in label):  # "SENATOR JANE SMITH"
        tokens = [_title_case(t) for t in tokens]
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
    definite = tokens[0].lower() == "the"
    if definite:  # "THE PRESIDENT": the label is the name
        if len(tokens) == 1:
            return None
        return Suggestion(" ".join(tokens), _kind(tokens[1:], True), via="speaker")
    found = _proper_name(tokens, definite=False, keep_the=False)
    return Suggestion(found.name, found.kind, found.role, via="speaker")


@dataclass(frozen=True)
class Turns:
    """A transcript's speaker turns: where each starts, who speaks (None: nobody)."""

    starts: tuple[int, ...] = ()
    speakers: tuple[Suggestion | None, ...] = ()

    def at(self, offset: int) -> Suggestion | None:
        """The named speaker whose turn holds ``offset``, if any."""
        i = bisect_right(self.starts, offset) - 1
        return self.speakers[i] if i >= 0 else None


def speaker_turns(body: str) -> Turns:
    """The speaker turns of ``body``; none unless at least two lines carry a label.

    A line is labelled when it opens with a name and a colon and goes on with
    speech (punctuated text), so "Background: the 2019 talks" or a lone dateline
    ("LONDON: ...") in an ordinary article never turns it into a transcript.
    """
    starts, speakers = [], []
    for match in _LABEL.finditer(body or ""):
        if not _TERMINAL.search(match.group("rest")):
            continue
        who = _speaker(match.group("label"))
        if who is None:
            continue
        starts.append(match.start())
        speakers.append(_valid(who))
    if len(starts) < 2:
        return Turns()
    return Turns(tuple(starts), tuple(speakers))


def suggest_for(
    body: str, start: int, end: int, turns: Turns | None = None
) -> Suggestion | None:
    """The claimant of the claim at ``body[start:end]``: its speaker, else its
    attribution. Pass ``speaker_turns(body)`` as ``turns`` for many claims."""
    turns = speaker_turns(body) if turns is None else turns
    return turns.at(start) or suggest(body[start:end])
