"""The publishing panel of the article page, and the public pages' one date format.

Presentation only. ``publishing_panel`` reads the latest publication and asks
``workflow.check``; it never writes. Used by ``factcheck/_article_publishing.html``
so the include works with just ``article`` and ``request.user`` in the context.
``public_date`` is the only way public pages show a date ("29 November 2026").
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html

from .. import workflow
from ..models import Article, ArticleState

register = template.Library()


@register.simple_tag
def publishing_panel(article: Article, user) -> dict:
    latest = (
        article.publications.order_by("-version")
        .select_related("published_by")
        .only("version", "published_at", "correction_note", "published_by")
        .first()
    )
    refusal = workflow.check(user, "article.publish", article)
    return {
        "latest": latest,
        "current_version": latest.version if latest else 0,
        "next_version": (latest.version + 1) if latest else 1,
        "correction_required": latest is not None,
        "can_publish": refusal is None,
        "publish_refusal": refusal.message if refusal else "",
        "may_publish_role": user.has_perm("factcheck.publish_article"),
        "can_unpublish": workflow.can(user, "article.unpublish", article),
        "is_live": article.state == ArticleState.PUBLISHED and latest is not None,
        "public_url": reverse("public-summary", args=[article.slug]) if latest else "",
        "preview_url": reverse("article-preview", args=[article.pk]),
    }


PUBLIC_DATE = "j F Y"  # "29 November 2026": the one date format of the public pages


@register.filter
def public_date(value) -> str:
    """A ``<time>`` element showing ``value`` as "29 November 2026".

    Takes a date, a datetime (shown in the site's time zone) or the ISO string a
    publication snapshot stores; anything else is shown as it is.
    """
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, date):  # a datetime is a date too
        return format_html(
            '<time datetime="{}">{}</time>',
            value.isoformat(),
            dateformat.format(value, PUBLIC_DATE),
        )
    return "" if value is None else str(value)


def _parse(text: str) -> date | datetime | str:
    try:  # a bare date first: fromisoformat would read it as midnight
        return parse_date(text) or parse_datetime(text) or text
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return text
