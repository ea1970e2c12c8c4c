"""The publishing panel of the article page: what the current user may do, and why not.

Presentation only: it reads the latest publication and asks ``workflow.check``; it
never writes. Used by ``factcheck/_article_publishing.html`` so the include works with
just ``article`` and ``request.user`` in the context.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from .. import workflow
from ..models import Article, ArticleState

register = template.Library()


@register.simple_tag
def publishing_panel(article: Article, user) -> dict:
    latest = (
        article.publications.order_by("-version")
        .only("version", "published_at", "correction_note")
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
    }
