"""A desk full of hostile text, made through the workflow, for the hostile-input tests.

Every payload would set ``window.__pwned`` (or open a dialog) if it ever reached the
page as markup instead of text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from factcheck import workflow
from factcheck.models import Article, Claim, ClaimState
from factcheck.roles import Role

from .factories import make_article, make_user, rating

SCRIPT = "<script>window.__pwned=1;alert('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned=1;alert('img')\">"
ATTR = "\" autofocus onfocus=\"window.__pwned=1;alert('attr')"
JS_LINK = "[click me](javascript:window.__pwned=1;alert('link'))"
RAW_JS_LINK = '<a href="javascript:window.__pwned=1">raw link</a>'
SVG = '<svg onload="window.__pwned=1"></svg>'

HOSTILE_LINES = [
    f"Officials said {SCRIPT} exports rose 12 percent in 2025.",
    f"The ministry reported {IMG} 3,400 new wagons in 2024.",
    f"The treaty {ATTR} was signed in 2001 by both presidents {SVG}.",
]
MARKDOWN = f"Checked. {SCRIPT} {IMG} {JS_LINK} {RAW_JS_LINK} {SVG}"


class _Inspector(HTMLParser):
    """Collects what a browser would treat as live markup from the payloads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        # A JSON-LD block is data; what matters is that nothing breaks out of it.
        kind = dict(attrs).get("type") or ""
        self._in_script = tag == "script" and kind != "application/ld+json"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            if name in URL_ATTRIBUTES and value.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value[:30]!r}>")
        if tag in ("svg", "iframe", "object", "embed"):
            self.problems.append(f"<{tag}> element")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "__pwned" in data:
            self.problems.append(f"script content {data.strip()[:40]!r}")


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def unsafe_in(html: str) -> list[str]:
    """Live markup made of a payload: script bodies, on* attributes, script URLs."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


@dataclass
class HostileDesk:
    published: Article
    approved: Claim
    submitted: Claim
    reviewer: object
    editor: object


def make_hostile_desk(*, reviewer=None, editor=None) -> HostileDesk:
    """A published article and a submitted claim, every text field hostile."""
    reviewer = reviewer or make_user(role=Role.REVIEWER)
    editor = editor or make_user(role=Role.EDITOR)
    decider = make_user(role=Role.EDITOR)

    def worked_claim(article: Article) -> Claim:
        claim = article.claims.order_by("start").first()
        workflow.take_claim(claim, actor=reviewer)
        workflow.add_source(
            claim,
            actor=reviewer,
            url="https://example.org/report?q=%3Cscript%3E",
            title=f"Report {SCRIPT}"[:300],
            publisher=IMG,
            excerpt=f"{ATTR} {SCRIPT}",
        )
        workflow.add_note(claim, actor=reviewer, body=MARKDOWN)
        return workflow.submit_verdict(
            claim, actor=reviewer, rating=rating("false"), rationale=MARKDOWN
        )

    published = make_article(
        actor=reviewer,
        lines=HOSTILE_LINES,
        title=f"Hostile {SCRIPT}",
        outlet=IMG,
        author=ATTR[:200],
    )
    approved = workflow.approve_verdict(worked_claim(published), actor=decider)
    for claim in published.claims.exclude(pk=approved.pk):
        workflow.dismiss_claim(claim, actor=decider, reason=f"Opinion {SCRIPT}")
    workflow.publish_article(published, actor=decider)

    pending = make_article(actor=reviewer, lines=HOSTILE_LINES, title=f"Pending {IMG}")
    submitted = worked_claim(pending)
    assert submitted.state == ClaimState.SUBMITTED
    published.refresh_from_db()
    return HostileDesk(published, approved, submitted, reviewer, editor)
