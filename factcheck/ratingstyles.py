"""The stylesheet that gives each rating badge its colour.

CSP forbids inline ``style`` attributes, so the admin-chosen colours reach the page as
a small stylesheet (``ratings.css``). It is cached: rebuilt after a scale change in
this process (``forget()`` runs on commit) and at most ``CACHE_SECONDS`` stale in
others. Only validated values are written into the CSS (slug and ``#rrggbb``), so an
odd database row cannot inject rules.
"""

from __future__ import annotations

import re

from django.core.cache import cache

from .models import Rating

CACHE_KEY = "factcheck:ratings.css"
CACHE_SECONDS = 60
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrasting(colour: str) -> str:
    """Black or white, whichever has the higher contrast ratio on ``colour``."""
    lum = _luminance(colour)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "#000000" if on_black >= on_white else "#ffffff"


def build_css(ratings) -> str:
    lines = ["/* Verdict scale colours: generated from the ratings table. */"]
    for rating in ratings:
        if not (_SLUG.match(rating.slug) and _COLOUR.match(rating.colour)):
            continue
        colour = rating.colour.lower()
        lines.append(
            f'.badge.rating[data-rating="{rating.slug}"] '
            f"{{ background: {colour}; color: {contrasting(colour)}; "
            f"border-color: {colour}; }}"
        )
    return "\n".join(lines) + "\n"


def stylesheet() -> str:
    css = cache.get(CACHE_KEY)
    if css is None:
        css = build_css(Rating.objects.only("slug", "colour").order_by("order", "pk"))
        cache.set(CACHE_KEY, css, CACHE_SECONDS)
    return css


def forget() -> None:
    cache.delete(CACHE_KEY)
