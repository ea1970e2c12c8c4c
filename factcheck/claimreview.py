"""schema.org ClaimReview: build it from a publication snapshot, and lint a page.

``claimreview_for`` builds the JSON-LD object for one published claim, following
Google's fact-check structured data guidelines: ``claimReviewed``, ``reviewRating``
(``alternateName`` always; ``ratingValue``/``bestRating``/``worstRating`` only for
numeric ratings), ``url`` (the claim's own page), ``author`` (the effective
publisher, ``organisation.author()``), and ``itemReviewed`` (a ``Claim`` with its
author, date and appearance). The claim's author is its claimant (a Person with a
``jobTitle`` or an Organization with a ``description``, ``sameAs`` when known); a
claim without one is the article's own assertion (its author, else its outlet).

Only some published claims carry ClaimReview (``carries_claimreview``): those rated
with a verdict on a factual claim (``Rating.is_verdict``) and backed by at least one
source. A claim rated e.g. "Not a factual claim" is listed on the public pages with
its rating, but has no markup; ``claimreview_for`` returns None for it.

``lint_page`` reads a rendered page back the way an aggregator would (JSON-LD data
blocks parsed out of the HTML) and returns the problems it finds; an empty list
means the page is valid. It is pure: no database, no Django request.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from . import organisation
from .publishing import rating_is_verdict

CLAIM_REVIEWED_MAX = 300
BEST, WORST = 5, 1


def short_claim(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """The claim, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def _claim_author(
    article: dict[str, Any], claimant: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Who made the claim: its claimant; without one (or in a snapshot from before
    claimants) the claim is the article's own assertion: its author, else outlet."""
    if claimant:
        if claimant.get("kind") == "organisation":
            author = {"@type": "Organization", "name": claimant["name"]}
            if claimant.get("role"):
                author["description"] = claimant["role"]
        else:
            author = {"@type": "Person", "name": claimant["name"]}
            if claimant.get("role"):
                author["jobTitle"] = claimant["role"]
        if claimant.get("same_as"):
            author["sameAs"] = claimant["same_as"]
        return author
    if article.get("author"):
        return {"@type": "Person", "name": article["author"]}
    if article.get("outlet"):
        return {"@type": "Organization", "name": article["outlet"]}
    return None


def carries_claimreview(claim_entry: dict) -> bool:
    """Does this snapshot claim get ClaimReview? A verdict, with at least one source."""
    return rating_is_verdict(claim_entry["rating"]) and bool(claim_entry.get("sources"))


def claimreview_for(publication, claim_entry: dict, *, page_url: str) -> dict | None:
    """The ClaimReview JSON-LD object for one claim of a publication snapshot.

    None for a claim that carries none (``carries_claimreview``): a non-verdict
    rating, or (defensively: the workflow requires one) a verdict without a source.
    """
    if not carries_claimreview(claim_entry):
        return None
    payload = publication.payload
    article = payload["article"]
    rating = claim_entry["rating"]
    review_rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": rating["label"],
    }
    if rating.get("value") is not None:
        review_rating.update(
            ratingValue=int(rating["value"]), bestRating=BEST, worstRating=WORST
        )
    item: dict[str, Any] = {"@type": "Claim"}
    author = _claim_author(article, claim_entry.get("claimant"))
    if author:
        item["author"] = author
    if article.get("original_published_on"):
        item["datePublished"] = article["original_published_on"]
    if article.get("original_url"):
        item["appearance"] = {"@type": "CreativeWork", "url": article["original_url"]}
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page_url,
        "claimReviewed": short_claim(claim_entry["text"]),
        "reviewRating": review_rating,
        "author": organisation.author(),
        "datePublished": _date(
            claim_entry.get("first_published_at") or payload.get("published_at")
        ),
        "itemReviewed": item,
    }
    if payload.get("version", 1) > 1:
        review["dateModified"] = _date(payload.get("published_at"))
    return review


def json_ld(data: dict) -> str:
    """JSON safe to embed in a ``<script type="application/ld+json">`` block."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- Linting -------------------------------------------------------------------------


_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _PageReader(HTMLParser):
    """Collects JSON-LD blocks, link targets and the text of
    ``data-claimreview-rating`` elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.ratings: list[str] = []
        self.links: list[str] = []
        self._in_ld = False
        self._depth = 0  # >0 while inside a rating element
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and (attrs.get("type") or "").strip().lower() == (
            "application/ld+json"
        ):
            self._in_ld, self._buffer = True, []
        elif self._depth:
            if tag not in _VOID:
                self._depth += 1
        elif "data-claimreview-rating" in attrs and tag not in _VOID:
            self._depth, self._buffer = 1, []

    def handle_endtag(self, tag):
        if tag == "script" and self._in_ld:
            self.blocks.append("".join(self._buffer))
            self._in_ld = False
        elif self._depth:
            self._depth -= 1
            if not self._depth:
                self.ratings.append(" ".join("".join(self._buffer).split()))

    def handle_data(self, data):
        if self._in_ld or self._depth:
            self._buffer.append(data)


def _typed(node, wanted: str) -> list[dict]:
    """Every object of @type ``wanted`` in a JSON-LD tree (lists and @graph too)."""
    found = []
    if isinstance(node, list):
        for item in node:
            found += _typed(item, wanted)
    elif isinstance(node, dict):
        types = node.get("@type")
        types = types if isinstance(types, list) else [types]
        if wanted in types:
            found.append(node)
        for key in ("@graph",):
            if key in node:
                found += _typed(node[key], wanted)
    return found


def _claimreviews(node) -> list[dict]:
    return _typed(node, "ClaimReview")


def _read(html: str) -> tuple[_PageReader, list, list[str]]:
    """The page's reader, its parsed JSON-LD blocks, and the blocks that don't parse."""
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    parsed, problems = [], []
    for i, block in enumerate(reader.blocks, start=1):
        try:
            parsed.append(json.loads(block))
        except json.JSONDecodeError as exc:
            problems.append(f"JSON-LD block {i} is not valid JSON: {exc}.")
    return reader, parsed, problems


def organisations_in(html: str) -> list[dict]:
    """The NewsMediaOrganization objects of a page's JSON-LD."""
    _reader, parsed, _problems = _read(html)
    return _typed(parsed, "NewsMediaOrganization")


def links_in(html: str) -> list[str]:
    """The ``href`` of every link on a page."""
    return _read(html)[0].links


def _is_date(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        (datetime if "T" in value else date).fromisoformat(value)
    except ValueError:
        return False
    return True


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _lint_rating(rating, problems: list[str]) -> None:
    if not isinstance(rating, dict):
        problems.append("reviewRating is missing or not an object.")
        return
    if rating.get("@type") != "Rating":
        problems.append("reviewRating must have @type Rating.")
    if not str(rating.get("alternateName") or "").strip():
        problems.append("reviewRating.alternateName is required.")
    numeric = [k for k in ("ratingValue", "bestRating", "worstRating") if k in rating]
    if not numeric:
        return
    if len(numeric) != 3:
        problems.append(
            "ratingValue, bestRating and worstRating go together (all or none)."
        )
        return
    value, best, worst = (
        _number(rating[k]) for k in ("ratingValue", "bestRating", "worstRating")
    )
    if None in (value, best, worst):
        problems.append("ratingValue, bestRating and worstRating must be numbers.")
    elif not worst < best:
        problems.append("worstRating must be lower than bestRating.")
    elif not worst <= value <= best:
        problems.append(
            f"ratingValue {rating['ratingValue']} is outside {worst}–{best}."
        )


def _lint_item(item, problems: list[str]) -> None:
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed must be an object with @type Claim.")
        return
    author = item.get("author")
    if author is not None and (
        not isinstance(author, dict)
        or author.get("@type") not in ("Organization", "Person")
        or not str(author.get("name") or "").strip()
    ):
        problems.append(
            "itemReviewed.author must be an Organization or Person with a name."
        )
    if "datePublished" in item and not _is_date(item["datePublished"]):
        problems.append("itemReviewed.datePublished is not an ISO 8601 date.")
    appearance = item.get("appearance")
    if appearance is not None:
        url = appearance.get("url") if isinstance(appearance, dict) else None
        if not (isinstance(url, str) and urlsplit(url).scheme in ("http", "https")):
            problems.append("itemReviewed.appearance needs an http(s) url.")


def lint_claimreview(review: dict, *, page_url: str) -> list[str]:
    """Problems of one ClaimReview object shown on ``page_url``."""
    problems: list[str] = []
    if review.get("@context") not in ("https://schema.org", "http://schema.org"):
        problems.append("@context must be https://schema.org.")
    claim = review.get("claimReviewed")
    if not isinstance(claim, str) or not claim.strip():
        problems.append("claimReviewed is required.")
    elif len(claim) > CLAIM_REVIEWED_MAX:
        problems.append(
            f"claimReviewed is longer than {CLAIM_REVIEWED_MAX} characters."
        )
    _lint_rating(review.get("reviewRating"), problems)
    url = review.get("url")
    if not isinstance(url, str) or not url:
        problems.append("url is required.")
    else:
        if urlsplit(url).netloc.lower() != urlsplit(page_url).netloc.lower():
            problems.append(f"url {url} is not on the page's domain.")
        if url != page_url:
            problems.append(f"url {url} is not this page ({page_url}).")
    author = review.get("author")
    if not isinstance(author, dict) or not str(author.get("name") or "").strip():
        problems.append("author (the fact-checking organisation) needs a name.")
    if not _is_date(review.get("datePublished")):
        problems.append("datePublished is missing or not an ISO 8601 date.")
    _lint_item(review.get("itemReviewed"), problems)
    item = review.get("itemReviewed")
    if _same_name(author, item.get("author") if isinstance(item, dict) else None):
        problems.append(
            "itemReviewed.author is the reviewing organisation: the claimant cannot "
            "be the fact-checker itself."
        )
    return problems


def _same_name(reviewer, claimant) -> bool:
    def name(node) -> str:
        value = node.get("name") if isinstance(node, dict) else None
        return " ".join(str(value or "").split()).casefold()

    return bool(name(reviewer)) and name(reviewer) == name(claimant)


def lint_page(
    html: str,
    *,
    page_url: str,
    visible_rating: str | None = None,
    expect_claimreview: bool = True,
) -> list[str]:
    """Problems of a claim page's ClaimReview markup; [] when the page is valid.

    The visible verdict is read from the element marked ``data-claimreview-rating``;
    when ``visible_rating`` is given the markup must match it too. With
    ``expect_claimreview`` False (a claim that carries none, see
    ``carries_claimreview``) the page must have no ClaimReview at all.
    """
    reader, parsed, problems = _read(html)
    reviews = _claimreviews(parsed)
    if not expect_claimreview:
        if reviews:
            problems.append(
                "Expected no ClaimReview (the rating is not a verdict on a factual "
                f"claim, or the claim cites no source), found {len(reviews)}."
            )
        return problems
    if len(reviews) != 1:
        problems.append(f"Expected exactly one ClaimReview, found {len(reviews)}.")
        return problems
    review = reviews[0]
    problems += lint_claimreview(review, page_url=page_url)
    markup = str((review.get("reviewRating") or {}).get("alternateName") or "")
    if len(reader.ratings) != 1:
        problems.append(
            "Expected one visible rating (data-claimreview-rating), "
            f"found {len(reader.ratings)}."
        )
    elif reader.ratings[0] != markup.strip():
        problems.append(
            f"The visible rating “{reader.ratings[0]}” differs from the markup's "
            f"“{markup}”."
        )
    if visible_rating is not None and visible_rating.strip() != markup.strip():
        problems.append(
            f"The markup's rating “{markup}” is not the verdict “{visible_rating}”."
        )
    return problems
