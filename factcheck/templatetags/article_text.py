"""The article body with its claims and damaged characters highlighted in place.

Rendered in Python rather than a template loop because the body is shown with
``white-space: pre-wrap``: every character between the tags is content, and a
1 MB article has thousands of segments. Every run of body text sits in a
``<span data-o="offset">`` so ``articles.js`` can turn a selection into body
offsets without counting the tooltips' text.

Every claim's span is marked (the body, and so the number of claims, is bounded by
the article size limit), but only the claims of the page of the claim list being
shown are interactive: focusable, with a tooltip and an id the list links to. The
others are plain marks naming their page, so the page's size follows the window.

Invariant: concatenating the ``data-o`` spans' text in order gives ``body``.
"""

from __future__ import annotations

from bisect import bisect_right

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import ClaimState

register = template.Library()


def visible_claims(claims) -> list:
    """Claims to highlight, in body order, never overlapping.

    Live claims never overlap each other; a dismissed claim (say, merged into its
    neighbour) is shown only where no live claim covers its text.
    """
    ordered = sorted(claims, key=lambda c: (c.state == ClaimState.DISMISSED, c.start))
    chosen: list = []
    taken: list[tuple[int, int]] = []
    for claim in ordered:
        i = bisect_right(taken, (claim.start, float("inf")))
        clash_left = i > 0 and taken[i - 1][1] > claim.start
        clash_right = i < len(taken) and taken[i][0] < claim.end
        if clash_left or clash_right:
            continue
        taken.insert(i, (claim.start, claim.end))
        chosen.append(claim)
    return sorted(chosen, key=lambda c: c.start)


def _damage_ranges(warnings) -> list[tuple[int, int, int, str]]:
    ranges = []
    for n, warning in enumerate(warnings or [], start=1):
        pos = warning.get("position")
        if isinstance(pos, int):
            ranges.append(
                (
                    pos,
                    pos + max(1, int(warning.get("length") or 1)),
                    n,
                    str(warning.get("message", "")),
                )
            )
    return sorted(ranges)


def _plain(body: str, a: int, b: int, damage, starts) -> list[str]:
    """Text ``body[a:b]`` as offset spans, damaged characters marked."""
    out: list[str] = []
    pos = a
    i = max(0, bisect_right(starts, a) - 1)
    while i < len(damage) and damage[i][0] < b:
        d_start, d_end, n, message = damage[i]
        i += 1
        d_start, d_end = max(d_start, pos), min(d_end, b)
        if d_end <= d_start:
            continue
        if d_start > pos:
            out.append(f'<span data-o="{pos}">{escape(body[pos:d_start])}</span>')
        out.append(
            f'<mark class="damaged" id="damage-{n}" title="{escape(message)}">'
            f'<span data-o="{d_start}">{escape(body[d_start:d_end])}</span></mark>'
        )
        pos = d_end
    if b > pos:
        out.append(f'<span data-o="{pos}">{escape(body[pos:b])}</span>')
    return out


def _tip(claim) -> str:
    reasons = "".join(
        format_html('<span class="tip-reason">{}</span>', r) for r in claim.reasons
    )
    return format_html(
        '<span class="tip-body" role="tooltip" id="tip-{}">'
        "<strong>#{} · {} · score {}%</strong> · {}{}</span>",
        claim.pk,
        claim.position,
        claim.get_kind_display(),
        round(claim.score * 100),
        claim.get_state_display(),
        mark_safe(reasons),  # noqa: S308 - built with format_html above
    )


def _quiet(span) -> str:
    return (
        f'<mark class="claim" data-claim="{span.pk}" data-state="{escape(span.state)}"'
        f' title="#{span.position}, on page {span.page} of the claim list">'
    )


def _interactive(claim) -> str:
    return (
        f'<mark class="claim tip" tabindex="0" id="mark-{claim.pk}" '
        f'data-claim="{claim.pk}" data-state="{escape(claim.state)}" '
        f'aria-describedby="tip-{claim.pk}">'
    )


@register.simple_tag
def article_text(article, window) -> SafeString:
    """The body with the spans of ``window.spans``; ``window.claims`` interactive."""
    body = article.body
    damage = _damage_ranges(article.warnings)
    starts = [d[0] for d in damage]
    shown = {claim.pk: claim for claim in window.claims}
    out: list[str] = []
    pos = 0
    for span in visible_claims(window.spans):
        claim = shown.get(span.pk)
        out.extend(_plain(body, pos, span.start, damage, starts))
        out.append(_interactive(claim) if claim else _quiet(span))
        out.extend(_plain(body, span.start, span.end, damage, starts))
        out.append((_tip(claim) if claim else "") + "</mark>")
        pos = span.end
    out.extend(_plain(body, pos, len(body), damage, starts))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above
