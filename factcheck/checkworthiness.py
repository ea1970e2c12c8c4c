"""Check-worthiness of one sentence: a score in [0, 1], a kind, and the reasons.

Responsibility: decide how much a sentence looks like a checkable factual claim.
Pure Python, no Django import, no numpy or scikit-learn at runtime.

How the score is made:

1. A small learned model: logistic regression over TF-IDF weighted word uni- and
   bigrams (digits mapped to 0) and character 2-5-grams of each word, plus a
   few hand features computed from the rule signals below. It was trained on
   the CLEF CheckThat! 2024 English check-worthiness data (debate transcripts)
   by ``bench/train_checkworthiness.py``, which writes the weights shipped in
   ``factcheck/data/checkworthiness_model.json``.
2. Rules adjust the model's log-odds and pick the kind and the reasons.
   Genre-neutral rules (list introductions, rhetorical framing, opinions of
   unnamed critics or analysts) always apply. News-prose rules apply only to
   sentences of an article, i.e. when ``context`` has a ``block`` (``extract``
   passes it; ``--lines`` units and the benchmark get none): speculation,
   predictions, evaluative wording and statements with nothing specific push
   down; statements attributed to officials, dates, quantities, events and
   trade figures push up.
3. The intercept is shifted so that the threshold tuned on the dev-test split
   (0.36 on the bare probability, stored as ``tuned_threshold`` in the JSON)
   maps to ``DEFAULT_THRESHOLD`` = 0.5: a monotone change, so F1 is the same,
   and callers can rely on 0.5.

Measured (``bench/extraction_quality.py``, lines mode): F1 of the Yes class
0.807 on dev-test (P 0.752, R 0.870, AP 0.903), 0.799 on dev.

Invariants: ``score()`` is deterministic, ``0 <= score <= 1``, ``kind`` is one of
``KINDS`` and ``reasons`` is a non-empty tuple of plain-language phrases.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_THRESHOLD",
    "KINDS",
    "MODEL_PATH",
    "Assessment",
    "Scorer",
    "HAND_FEATURE_NAMES",
    "Signals",
    "hand_features",
    "score",
    "signals",
    "text_features",
]

DEFAULT_THRESHOLD = 0.5
MODEL_PATH = Path(__file__).resolve().parent / "data" / "checkworthiness_model.json"

KINDS = (
    "statistic",
    "quantity",
    "attributed statement",
    "event",
    "historical",
    "comparison",
    "causal",
    "prediction",
    "opinion",
    "other",
)


@dataclass(frozen=True)
class Assessment:
    score: float
    kind: str
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------
# Text features (shared with the training script: the same code computes them
# at training and at run time, so the shipped weights always fit).

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[$%€£]")
_DIGIT = re.compile(r"\d")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def text_features(sentence: str) -> dict[str, int]:
    """Counts of word 1-2-grams (``w:``/``b:``) and per-word char 2-5-grams."""
    s = _DIGIT.sub("0", sentence.lower().translate(_QUOTES))
    tokens = _TOKEN.findall(s)
    feats: dict[str, int] = {}
    get = feats.get
    prev = ""
    for tok in tokens:
        key = "w:" + tok
        feats[key] = get(key, 0) + 1
        if prev:
            key = "b:" + prev + " " + tok
            feats[key] = get(key, 0) + 1
        prev = tok
    # Character n-grams of whitespace-separated words, padded with spaces as in
    # scikit-learn's "char_wb": they carry morphology and punctuation ("$0",
    # "0%", "n't ") that word tokens miss.
    for word in s.split():
        padded = " " + word + " "
        length = len(padded)
        for n in (2, 3, 4, 5):
            for i in range(length - n + 1):
                key = padded[i : i + n]
                feats[key] = get(key, 0) + 1
    return feats


# --------------------------------------------------------------------------------
# Rule signals
#
# Speed matters (every sentence of a 1 MB upload is scored), so single-word cues
# are looked up in sets of the sentence's lower-cased tokens, and the few
# regexes that need context run only when a cheap token check says they can
# match.

_LOWER_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MONTHS_DAYS = _set(
    "january february march april june july august september october november "
    "december jan feb aug sep sept oct nov dec monday tuesday wednesday thursday "
    "friday saturday sunday yesterday"
)
_BIG_NUMBERS = _set(
    "hundreds thousands millions billions trillions hundred thousand million "
    "billion trillion dozen dozens twice doubled doubles tripled halved"
)
_CURRENCIES = _set("dollars euros pounds yuan rubles roubles yen")
_STAT_WORDS = _set(
    "rate rates ratio average median gdp unemployment inflation deficit surplus "
    "poll polls survey statistic statistics census"
)
_TRADE_WORDS = _set("exports imports tariff tariffs gdp")
_SAY_WORDS = _set(
    "said says say told tells stated states announced announces announce "
    "reported reports confirmed confirms confirm indicated indicates indicate "
    "pledged pledges vowed vows declared declares testified claimed claims "
    "insisted denied denies admitted acknowledged warned estimated estimates "
    "outlined outlining unveiled promised promises signaled signalled reportedly"
)
_OFFICIAL_WORDS = _set(
    "official officials minister ministers ministry ministries government "
    "governments spokesman spokeswoman spokesperson spokespeople president "
    "premier authorities agency department police embassy kremlin parliament "
    "congress senator senators governor mayor chancellor secretary "
    "administration xinhua leader leaders"
)
# Tokens that can start an official source in _RX_OFFICIAL_SAYS.
_OFFICIAL_HINTS = _OFFICIAL_WORDS | {"house", "bank"}
_OPINION_HOLDERS = _set(
    "critics proponents supporters opponents observers analysts experts "
    "commentators skeptics sceptics advocates many some"
)
_SPECULATIVE_WORDS = _set(
    "may might could possibly perhaps potentially likely unlikely would"
)
_FUTURE_WORDS = _set("will won't shall forecast forecasts upcoming approaches")
_FUTURE_HINTS = _set("expected set going projected coming ahead")
_EVALUATIVE_WORDS = _set(
    "should must ought believe think feel hope importance important essential "
    "critical crucial meaningful vital robust underscore underscores optimistic "
    "pessimistic credible great terrible wonderful best worst wrong fair unfair "
    "inclusive careful deliberate sustainable transparent"
)
_FIRST_PERSON = _set("i i'm i've i'd i'll me my mine we we're we've we'll our ours us")
_CAUSAL_WORDS = _set("because caused causes therefore consequently")
_CAUSAL_HINTS = _set(
    "due result led leads lead resulted results thanks owing driven so"
)
_CHANGE_WORDS = _set(
    "doubled tripled halved rose fell grew declined dropped increased decreased "
    "surged plunged jumped largest biggest highest lowest smallest fastest"
)
_EVENT_WORDS = _set(
    "pledged signed agreed announced met launched approved passed visited held "
    "opened closed won lost killed arrested elected appointed resigned banned "
    "imposed lifted ratified vowed voted ruled vetoed sanctioned invaded "
    "attacked engage hosted"
)
_HISTORY_HINTS = _set("ago after founded established signed built")

_RX_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)s?\b")
_PAST_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20[01]\d|202[0-4])s?\b")
_RX_CENTURY = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)|\w+(?:teenth|tieth|first|second|third))"
    r"[- ]century\b|\bcentur(?:y|ies) ago\b"
)
_RX_LAST_PERIOD = re.compile(
    r"\blast (?:week|month|year|night|spring|summer|autumn|fall|winter)\b"
)
# Digits that are not ordinals: "20th century" is a period, not a quantity.
_RX_CARDINAL = re.compile(r"\d(?![\d,.]*(?:st|nd|rd|th)\b)")
_RX_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage\b")
_RX_MONEY = re.compile(r"[$€£¥₽]\s?\d")
_RX_STAT_PHRASE = re.compile(r"\bshare of\b|\bper capita\b")
_RX_TRADE = re.compile(
    r"\btrade (?:volumes?|turnover|flows?|figures|deficit|surplus)\b|"
    r"\bbilateral trade\b|\binvestments? (?:of|worth|totall?ing)\b"
)
_OFFICIAL = (
    "|".join(sorted(_OFFICIAL_WORDS)) + "|prime minister|white house|central bank"
)
_SAY = "|".join(sorted(_SAY_WORDS - {"reportedly"}))
_RX_OFFICIAL_SAYS = re.compile(
    rf"\b(?:{_OFFICIAL})\b[^.;:]{{0,60}}?\b(?:{_SAY})\b"
    rf"|\b(?:{_SAY}) by (?:the )?(?:{_OFFICIAL})\b"
    rf"|\baccording to (?:the )?(?:{_OFFICIAL})\b"
)
# Opinion holders: what critics or analysts think is commentary, not a claim.
_RX_OPINION_HOLDER = re.compile(
    r"\b(?:critics|proponents|supporters|opponents|observers|analysts|experts|"
    r"commentators|skeptics|sceptics|advocates|many|some)\b(?:,[^,]{0,30},)?\s+"
    r"(?:\w+ly\s+)?(?:caution|cautions|argue|argues|argued|contend|contends|"
    r"believe|believes|note|notes|noted|say|highlight|highlights|suggest|"
    r"suggests|warn|warns|worry|worries|fear|fears|hope|hopes|assess|"
    r"express|expect|expects|point out|see|view)\b"
)
_RX_SPECULATIVE_PHRASE = re.compile(r"\b(?:appears?|seems?) to\b")
_RX_FUTURE_PHRASE = re.compile(
    r"\b(?:is|are) (?:expected|set) to\b|\bgoing to\b|\bprojected to\b|"
    r"\bin the coming\b|\bin the years ahead\b"
)
_RX_EVALUATIVE_PHRASE = re.compile(
    r"\bneeds? to\b|\bremains? a\b|\bwin-win\b|\bmutually beneficial\b"
)
_RX_RHETORICAL_START = re.compile(
    r"(?:to (?:understand|place|put|grasp|appreciate|see)|consider|imagine|"
    r"let's|let us|in either case|in other words|in short|in sum|ultimately|"
    r"from an? [\w-]+ perspective|put simply|simply put)\b"
)
_RHETORICAL_ANYWHERE = (
    "it helps to",
    "it is worth",
    "it's worth",
    "it pays to",
    "it is useful to",
    "one might",
)
_RX_CAUSAL_PHRASE = re.compile(
    r"\b(?:due to|as a result|led to|leads? to|resulted in|results in|thanks to|"
    r"owing to|driven by|so that)\b"
)
_RX_COMPARATIVE = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|faster|"
    r"slower|cheaper|better|worse) than\b|\bcompared (?:with|to)\b|\btwice as\b|"
    r"\bthe (?:first|most|least)\b"
)
_RX_EVENT = re.compile(
    r"\b(?:has|have|had) (?:\w+ )?(?:pledged|signed|agreed|announced|met|"
    r"launched|approved|passed|visited|held|opened|closed|won|lost|killed|"
    r"arrested|elected|appointed|resigned|banned|imposed|lifted|ratified|"
    r"vowed)\b|\b(?:signed|met|launched|visited|approved|passed|voted|"
    r"elected|killed|arrested|ruled|ratified|imposed|lifted|resigned|"
    r"appointed|vetoed|sanctioned|invaded|attacked|engage in|hosted|"
    r"held talks)\b"
)
_RX_HISTORICAL = re.compile(
    r"\b(?:in|during|by|since|until) (?:the )?(?:late |early |mid-?)?"
    r"(?:1[5-9]\d\d|20[01]\d)s?\b|\b(?:years|decades|centuries) ago\b|"
    r"\bafter the (?:dissolution|collapse|fall|end|break-?up)\b|"
    r"\b(?:was|were) (?:founded|established|signed|built)\b|"
    r"\bthe (?:early|late|mid-?)\s?(?:1[5-9]\d\d|20[01]\d)s\b"
)
# Capitalised words stand in for named-entity recognition ("names a person or
# organisation"): not the first word of a sentence or clause after ":", not "I".
_RX_CAPITALISED = re.compile(r"[A-Z][a-zA-Z]+")
_NAME_AFTER = frozenset(" \t\n(“\"'’-")
_NOT_NAMES = frozenset(
    "I A The Asia Europe Eurasia Africa Arctic Antarctic Americas Pacific "
    "Atlantic West East North South Western Eastern Northern Southern Sino".split()
)
# Nationality adjectives ("Russian raw materials", "Western-led") are not names.
_DEMONYM = re.compile(r"[A-Z][a-z]{3,}(?:ian|ese|ern|ean|ish)$")
_RX_PERSON_TITLE = re.compile(
    r"\b(?:President|Prime Minister|Minister|Senator|Governor|Secretary|"
    r"Chancellor|Mayor|Dr|Mr|Mrs|Ms|Chairman|CEO|General|Judge|King|Queen)\b"
)


@dataclass(frozen=True)
class Signals:
    list_intro: bool
    question: bool
    rhetorical: bool
    opinion_holder: bool
    speculative: bool
    future: bool
    evaluative: int
    first_person: bool
    official_says: bool
    says: bool
    year: bool
    past_year: bool
    century: bool
    date: bool
    number: bool
    percent: bool
    money: bool
    stat_word: bool
    trade: bool
    causal: bool
    comparison: bool
    event: bool
    historical: bool
    names: tuple[str, ...]
    person_title: bool
    words: int


def _names(text: str) -> tuple[str, ...]:
    names = []
    for m in _RX_CAPITALISED.finditer(text):
        start = m.start()
        if start == 0 or text[start - 1] not in _NAME_AFTER:
            continue
        if start >= 2 and text[start - 2] in ":.!?" and text[start - 1] == " ":
            continue  # first word of a clause after ":" or of a new sentence
        word = m.group()
        if word in _NOT_NAMES:
            continue
        if _DEMONYM.match(word):
            following = text[m.end() : m.end() + 2].lstrip(" ")[:1]
            if following == "-" or following.islower():
                continue
        names.append(word)
    return tuple(names)


def signals(sentence: str) -> Signals:
    """Rule signals of one sentence (token-set lookups plus a few regexes)."""
    text = sentence.strip()
    low = text.lower().translate(_QUOTES)
    token_list = _LOWER_TOKEN.findall(low)
    tokens = set(token_list)
    tail = text.rstrip("\"'”’)] ")
    has_digit = _DIGIT.search(text) is not None
    year = has_digit and _RX_YEAR.search(text) is not None
    says = not tokens.isdisjoint(_SAY_WORDS) or "according to" in low
    future = not tokens.isdisjoint(_FUTURE_WORDS) or (
        not tokens.isdisjoint(_FUTURE_HINTS)
        and _RX_FUTURE_PHRASE.search(low) is not None
    )
    number = (
        has_digit and _RX_CARDINAL.search(_RX_YEAR.sub("", text) if year else text)
    ) or not tokens.isdisjoint(_BIG_NUMBERS)
    evaluative = sum(1 for t in token_list if t in _EVALUATIVE_WORDS)
    if "need" in low or "remain" in low or "win-win" in low or "mutually" in low:
        evaluative += len(_RX_EVALUATIVE_PHRASE.findall(low))
    return Signals(
        list_intro=tail.endswith(":"),
        question=tail.endswith("?"),
        rhetorical=_RX_RHETORICAL_START.match(low) is not None
        or any(p in low for p in _RHETORICAL_ANYWHERE),
        opinion_holder=not tokens.isdisjoint(_OPINION_HOLDERS)
        and _RX_OPINION_HOLDER.search(low) is not None,
        speculative=not tokens.isdisjoint(_SPECULATIVE_WORDS)
        or (
            ("appear" in low or "seem" in low)
            and bool(_RX_SPECULATIVE_PHRASE.search(low))
        ),
        future=future,
        evaluative=evaluative,
        first_person=not tokens.isdisjoint(_FIRST_PERSON),
        official_says=says
        and not tokens.isdisjoint(_OFFICIAL_HINTS)
        and _RX_OFFICIAL_SAYS.search(low) is not None,
        says=says,
        year=year,
        past_year=year and _PAST_YEAR.search(text) is not None,
        century="centur" in low and _RX_CENTURY.search(low) is not None,
        date=not tokens.isdisjoint(_MONTHS_DAYS)
        or ("last" in tokens and _RX_LAST_PERIOD.search(low) is not None),
        number=bool(number),
        percent="%" in text or ("cent" in low and _RX_PERCENT.search(low) is not None),
        money=(has_digit and _RX_MONEY.search(text) is not None)
        or (has_digit and not tokens.isdisjoint(_CURRENCIES)),
        stat_word=not tokens.isdisjoint(_STAT_WORDS)
        or ("share" in tokens or "capita" in tokens)
        and _RX_STAT_PHRASE.search(low) is not None,
        trade=not tokens.isdisjoint(_TRADE_WORDS)
        or (
            ("trade" in tokens or "investment" in low)
            and _RX_TRADE.search(low) is not None
        ),
        causal=not tokens.isdisjoint(_CAUSAL_WORDS)
        or (
            not tokens.isdisjoint(_CAUSAL_HINTS)
            and _RX_CAUSAL_PHRASE.search(low) is not None
        ),
        comparison=not tokens.isdisjoint(_CHANGE_WORDS)
        or (
            ("than" in tokens or "compared" in tokens or "the" in tokens)
            and _RX_COMPARATIVE.search(low) is not None
        ),
        event=not tokens.isdisjoint(_EVENT_WORDS) and _RX_EVENT.search(low) is not None,
        historical=(year or not tokens.isdisjoint(_HISTORY_HINTS))
        and _RX_HISTORICAL.search(low) is not None,
        names=_names(text),
        person_title=_RX_PERSON_TITLE.search(text) is not None,
        words=len(text.split()),
    )


def hand_features(sig: Signals) -> dict[str, float]:
    """The rule signals as model inputs (weights learned with the n-grams)."""
    return {k: 1.0 for k, v in _hand_flags(sig).items() if v}


def _hand_flags(sig: Signals) -> dict[str, bool]:
    n = sig.words
    return {
        "h:list_intro": sig.list_intro,
        "h:question": sig.question,
        "h:rhetorical": sig.rhetorical,
        "h:opinion_holder": sig.opinion_holder,
        "h:speculative": sig.speculative,
        "h:future": sig.future,
        "h:evaluative": sig.evaluative > 0,
        "h:evaluative2": sig.evaluative > 1,
        "h:first_person": sig.first_person,
        "h:official_says": sig.official_says,
        "h:says": sig.says,
        "h:year": sig.year,
        "h:past_year": sig.past_year,
        "h:date": sig.date,
        "h:number": sig.number,
        "h:percent": sig.percent,
        "h:money": sig.money,
        "h:stat_word": sig.stat_word,
        "h:trade": sig.trade,
        "h:causal": sig.causal,
        "h:comparison": sig.comparison,
        "h:event": sig.event,
        "h:historical": sig.historical or sig.century,
        "h:names": len(sig.names) > 0,
        "h:names2": len(sig.names) > 2,
        "h:len<=5": n <= 5,
        "h:len6-10": 5 < n <= 10,
        "h:len11-20": 10 < n <= 20,
        "h:len>20": n > 20,
    }


# Every hand feature, in a fixed order (the training script's columns).
HAND_FEATURE_NAMES: tuple[str, ...] = tuple(_hand_flags(signals("")))


# --------------------------------------------------------------------------------
# Rules on top of the model, as log-odds adjustments.
#
# Genre-neutral rules apply to every sentence. They cover devices that debate
# transcripts (the training data) almost never contain, so the model cannot have
# learned them: list introductions, framing devices, opinions attributed to
# unnamed commentators.
#
# News-prose rules apply only to sentences of an article (``extract`` passes
# ``context={"block": ...}``); ``--lines`` units (transcripts, sentence lists,
# the benchmark) get the model and the neutral rules only. In an article a
# claim worth a fact-checker's time names its source or carries a figure, a
# date, an event; abstract commentary, speculation and predictions are not
# checkable however confident they sound. In transcripts those same signals
# are already weighed by the model (see ``hand_features``), and adding them
# again would count them twice.

_NEUTRAL = {
    "list_intro": -4.0,
    "rhetorical": -3.0,
    "opinion_holder": -3.0,
}
_PROSE = {
    "official_says": 1.2,
    "says_named": 0.8,
    "statistic": 0.8,
    "quantity": 0.6,
    "year": 0.5,
    "date": 0.6,
    "trade": 0.5,
    "event": 0.6,
    "historical": 0.6,
    "named_only": -1.5,  # names but no figure, date, source or event
    "generality": -3.0,  # nothing specific at all
    "speculative": -1.0,
    "future": -2.0,  # unless attributed: then -0.6 (see _rules)
    "evaluative": -0.5,  # per evaluative word beyond the first, capped
    "evaluative_cap": -1.5,
    "list_item_fragment": -0.5,
}


def _rules(
    sig: Signals, context: dict | None
) -> tuple[float, float, str, list[str], list[str]]:
    """(neutral adjustment, news-prose adjustment, kind, reasons for, against)."""
    neutral = 0.0
    prose = 0.0
    pos: list[str] = []
    neg: list[str] = []
    quantity = sig.number or sig.percent or sig.money
    statistic = (sig.percent or sig.money or sig.stat_word) and quantity
    historical = sig.historical or sig.century or (sig.past_year and not sig.future)
    # The article's own subject (the names in its title) is in every sentence;
    # mentioning it does not make a sentence specific.
    topic = context.get("topic", ()) if context else ()
    named = sig.person_title or any(n not in topic for n in sig.names)
    attributed = sig.official_says or (sig.says and named)
    event = sig.event and (named or quantity or sig.year)

    if sig.list_intro:
        neutral += _NEUTRAL["list_intro"]
        neg.append("introduces a list")
    if sig.question:
        neg.append("asks a question")
    if sig.rhetorical:
        neutral += _NEUTRAL["rhetorical"]
        neg.append("rhetorical framing")
    if sig.opinion_holder:
        neutral += _NEUTRAL["opinion_holder"]
        neg.append("opinion or evaluative framing")
    elif sig.evaluative >= 2:
        prose += max(
            _PROSE["evaluative_cap"], _PROSE["evaluative"] * (sig.evaluative - 1)
        )
        neg.append("opinion or evaluative framing")
    if sig.speculative:
        prose += _PROSE["speculative"]
        neg.append("speculative wording (may, could)")
    if sig.future:
        # An official announcing a plan is checkable (did they say it?), so the
        # prediction penalty is small when the statement is attributed.
        prose += _PROSE["future"] * (0.3 if attributed else 1.0)
        neg.append("predicts the future")

    if sig.official_says:
        prose += _PROSE["official_says"]
        pos.append("attributes a statement to officials")
    elif attributed:
        prose += _PROSE["says_named"]
        pos.append("attributes a statement to a named source")
    if statistic:
        prose += _PROSE["statistic"]
        pos.append("contains a statistic")
    elif quantity:
        prose += _PROSE["quantity"]
        pos.append("contains a number or quantity")
    if sig.year:
        # A future year in an unattributed sentence dates a prediction, not a fact.
        if attributed or not sig.future:
            prose += _PROSE["year"]
        pos.append("contains a year")
    if sig.date:
        prose += _PROSE["date"]
        pos.append("contains a date")
    if sig.trade:
        if attributed or not sig.future:
            prose += _PROSE["trade"]
        pos.append("refers to trade or economic figures")
    if event:
        prose += _PROSE["event"]
        pos.append("reports a specific event or action")
    if historical:
        if not sig.year:
            prose += _PROSE["historical"]
        pos.append("refers to a period in history")
    if named:
        pos.append("names a person or organisation")
    if sig.comparison:
        pos.append("makes a comparison")
    if sig.causal:
        pos.append("states a cause or effect")
    if sig.first_person:
        neg.append("first-person statement")

    specific = (
        quantity
        or sig.year
        or sig.date
        or attributed
        or event
        or historical
        or sig.trade
    )
    if not specific and not sig.list_intro:
        prose += _PROSE["named_only"] if named else _PROSE["generality"]
        neg.append(
            "no figure, date, source or event to check"
            if sig.names or named
            else "general statement without names, figures or dates"
        )
    if (
        context
        and context.get("block") == "list-item"
        and not (quantity or sig.year or attributed)
    ):
        prose += _PROSE["list_item_fragment"]

    if sig.list_intro or sig.question:
        kind = "other"
    elif sig.rhetorical or sig.opinion_holder:
        kind = "opinion"
    elif statistic:
        kind = "statistic"
    elif attributed:
        kind = "attributed statement"
    elif sig.future:
        kind = "prediction"
    elif quantity:
        kind = "quantity"
    elif historical:
        kind = "historical"
    elif event:
        kind = "event"
    elif sig.comparison:
        kind = "comparison"
    elif sig.causal:
        kind = "causal"
    elif sig.speculative or sig.evaluative >= 2 or sig.first_person:
        kind = "opinion"
    else:
        kind = "other"
    return neutral, prose, kind, pos, neg


# --------------------------------------------------------------------------------
# The scorer


# Log-odds beyond which the model's own opinion is worth a reason (p ~ 0.82).
_MODEL_CLEAR = 1.5


class Scorer:
    """Model + rules. Build once (the weights load in ~0.1 s) and reuse."""

    # Words seen so far -> their known character n-grams. Articles reuse a small
    # vocabulary, so most words are sliced and filtered only once per process.
    _WORD_CACHE_LIMIT = 200_000

    def __init__(self, model: dict[str, Any]) -> None:
        self.bias_shift = float(model.get("shift", 0.0))
        self.bias = float(model["bias"]) + self.bias_shift
        self.hand = {k: float(v) for k, v in model["hand"].items()}
        vocab: list[str] = model["vocab"]
        weights: list[float] = model["weights"]
        idf: list[float] = model["idf"]
        # The two products every lookup needs: weight x idf, and idf^2 for the
        # L2 norm of the TF-IDF vector.
        self.weight: dict[str, float] = {
            f: w * i for f, w, i in zip(vocab, weights, idf, strict=True)
        }
        self.idf2: dict[str, float] = {
            f: i * i for f, i in zip(vocab, idf, strict=True)
        }
        self.use_rules = bool(model.get("use_rules", True))
        self._word_grams: dict[str, tuple[tuple[str, ...], float, float]] = {}

    def _word_entry(self, word: str) -> tuple[tuple[str, ...], float, float]:
        """A word's in-vocabulary char n-grams and their summed products."""
        padded = " " + word + " "
        size = len(padded)
        weight = self.weight
        grams = tuple(
            g
            for n in (2, 3, 4, 5)
            for i in range(size - n + 1)
            if (g := padded[i : i + n]) in weight
        )
        entry = (
            grams,
            sum(map(weight.__getitem__, grams)),
            sum(map(self.idf2.__getitem__, grams)),
        )
        if len(self._word_grams) >= self._WORD_CACHE_LIMIT:
            self._word_grams.clear()
        self._word_grams[word] = entry
        return entry

    def model_logit(self, sentence: str, sig: Signals) -> float:
        """The learned part: sublinear TF-IDF, L2-normalised, dot the weights.

        Computes exactly what ``text_features`` + the weights define (a test
        checks it), organised for speed: with ~67k weights, dictionary lookups
        are cache misses and dominate, so each word's n-grams are looked up
        once per process and summed as if every feature occurred once; the
        few features that repeat within the sentence are then corrected to
        their sublinear ``1 + ln(count)`` weight.
        """
        s = _DIGIT.sub("0", sentence.lower().translate(_QUOTES))
        weight, idf2 = self.weight, self.idf2
        tokens = _TOKEN.findall(s)
        feats = [f for f in ("w:" + t for t in tokens) if f in weight]
        feats += [
            f
            for f in (
                "b:" + a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)
            )
            if f in weight
        ]
        dot = sum(map(weight.__getitem__, feats))
        norm2 = sum(map(idf2.__getitem__, feats))
        cache = self._word_grams
        for word in s.split():
            grams, word_dot, word_norm2 = cache.get(word) or self._word_entry(word)
            feats.extend(grams)
            dot += word_dot
            norm2 += word_norm2
        counts = Counter(feats)
        if len(counts) != len(feats):
            log = math.log
            for feat, count in counts.items():
                if count > 1:
                    tf = 1.0 + log(count)
                    dot += (tf - count) * weight[feat]
                    norm2 += (tf * tf - count) * idf2[feat]
        logit = self.bias + (dot / math.sqrt(norm2) if norm2 > 1e-12 else 0.0)
        hand = self.hand
        for feat in hand_features(sig):
            logit += hand.get(feat, 0.0)
        return logit

    def assess(self, sentence: str, context: dict | None = None) -> Assessment:
        sig = signals(sentence)
        logit = self.model_logit(sentence, sig)
        neutral, prose, kind, pos, neg = _rules(sig, context)
        # The learned model's own verdict, when clear, is a reason too.
        if logit - self.bias_shift >= _MODEL_CLEAR:
            pos.append("wording typical of check-worthy claims")
        elif logit - self.bias_shift <= -_MODEL_CLEAR:
            neg.append("wording typical of non-factual statements")
        reasons = pos + neg
        if self.use_rules:
            logit += neutral
            if context and context.get("block"):
                logit += prose
        if not reasons:
            reasons = ["no strong signal either way"]
        prob = 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, logit))))
        return Assessment(score=round(prob, 4), kind=kind, reasons=tuple(reasons))


_DEFAULT: Scorer | None = None


def default_scorer() -> Scorer:
    """The scorer with the shipped weights, loaded on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        with MODEL_PATH.open(encoding="utf-8") as fh:
            _DEFAULT = Scorer(json.load(fh))
    return _DEFAULT


def score(sentence: str, *, context: dict | None = None) -> Assessment:
    """Assess one sentence. ``context`` (optional) may carry ``block``
    ("paragraph", "list-item"...), ``heading`` and ``after_list_intro``."""
    return default_scorer().assess(sentence, context)
