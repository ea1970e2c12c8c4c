"""Presentation helpers only: badges, Markdown, readable audit lines."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import audit
from ..rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def state_badge(obj) -> str:
    return format_html(
        '<span class="badge state-{}">{}</span>', obj.state, obj.get_state_display()
    )


@register.simple_tag
def rating_badge(rating) -> str:
    if rating is None:
        return format_html('<span class="badge rating-none">{}</span>', "No rating")
    return format_html(
        '<span class="badge rating" data-rating="{}">{}</span>',
        rating.slug,
        rating.label,
    )


@register.filter
def describe_event(event) -> str:
    return audit.describe(event)


@register.filter
def percent(score: float) -> str:
    return f"{round((score or 0) * 100)}%"
