"""Who the public record says publishes it: the effective publisher and its markup.

``publisher()`` is the effective publisher: the row an admin saved (``Publisher``,
pk 1, written only by ``workflow.organisation``), or else the deployment's settings
(``FACTCHECK["ORGANISATION_NAME"]`` / ``["ORGANISATION_URL"]``) as placeholders.
Every public page and every ClaimReview names it, so it is cached: this process
forgets it when a change commits, other processes with a local cache within
``CACHE_SECONDS`` (a shared cache, ``REDIS_URL``, forgets it everywhere at once).
Its ``stamp`` changes with every saved change; public pages whose cached HTML names
the publisher are cached under a key holding it. ``pages_stamp()`` does the same for
what the transparency pages show (their text and the rating scale).

``placeholder_problems()`` says why a publisher is not yet fit to be named in
public (the default name, an example or local URL); ``check_publisher`` makes
``manage.py check --deploy`` fail (an Error) while it has any. That check reads the
database (a deploy check only): when it cannot, it warns and judges the settings.

``markup(request)`` is the schema.org ``NewsMediaOrganization`` of the public
pages, linking the transparency pages through the properties schema.org defines
for them (``ABOUT_PROPERTIES``).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Count, Max
from django.http import HttpRequest
from django.urls import reverse

from .models import PublicPage, PublicPageKind, Publisher, Rating

CACHE_KEY = "factcheck:publisher"
PAGES_CACHE_KEY = "factcheck:public-pages-stamp"
CACHE_SECONDS = 60

# The settings' default name (FACTCHECK_ORG_NAME unset): never a real publisher.
PLACEHOLDER_NAME = "Factcheck Desk"
# Hosts reserved for documentation and local use (RFC 2606, RFC 6761), and names
# that only resolve inside one network: a public record cannot point at them.
PLACEHOLDER_HOSTS = (
    "example",
    "example.com",
    "example.net",
    "example.org",
    "localhost",
    "localdomain",
    "local",
    "test",
    "invalid",
    "internal",
)

# schema.org NewsMediaOrganization properties -> the transparency page they point
# at. ``verificationFactCheckingPolicy`` (a sub-property of publishingPrinciples)
# points at the rating scale, which says what each verdict means and which ones
# carry ClaimReview; ``masthead`` is "a page listing top editorial management".
ABOUT_PROPERTIES: dict[str, str] = {
    "publishingPrinciples": PublicPageKind.METHODOLOGY,
    "verificationFactCheckingPolicy": PublicPageKind.RATINGS,
    "correctionsPolicy": PublicPageKind.CORRECTIONS,
    # The corrections page says how readers report an error and what happens next.
    "actionableFeedbackPolicy": PublicPageKind.CORRECTIONS,
    "ownershipFundingInfo": PublicPageKind.FUNDING,
    "masthead": PublicPageKind.TEAM,
}
# The four policies aggregators and IFCN assessors look for first.
POLICY_PROPERTIES = (
    "publishingPrinciples",
    "correctionsPolicy",
    "ownershipFundingInfo",
    "actionableFeedbackPolicy",
)


@dataclass(frozen=True)
class Organisation:
    name: str
    url: str
    logo_url: str = ""
    saved: bool = False  # False: the settings stand in, nobody has saved a publisher
    stamp: str = "settings"


def from_settings() -> Organisation:
    return Organisation(
        name=settings.FACTCHECK["ORGANISATION_NAME"],
        url=settings.FACTCHECK["ORGANISATION_URL"],
    )


def load() -> Organisation:
    """The effective publisher read from the database now (no cache)."""
    row = Publisher.objects.filter(pk=1).first()
    if row is None:
        return from_settings()
    return Organisation(
        name=row.name,
        url=row.url,
        logo_url=row.logo_url,
        saved=True,
        stamp=row.updated_at.strftime("%Y%m%d%H%M%S%f"),
    )


def publisher() -> Organisation:
    """The effective publisher: the saved row, or else the settings (cached)."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = asdict(load())
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return Organisation(**cached)


def pages_stamp() -> str:
    """Changes whenever a transparency page or the rating scale changes (cached)."""
    stamp = cache.get(PAGES_CACHE_KEY)
    if stamp is None:
        pages = PublicPage.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        scale = Rating.objects.order_by("order", "pk").values_list(
            "pk", "label", "description", "colour", "value", "is_verdict", "active"
        )
        digest = hashlib.sha256(repr((pages, list(scale))).encode()).hexdigest()
        stamp = digest[:16]
        cache.set(PAGES_CACHE_KEY, stamp, CACHE_SECONDS)
    return stamp


def saved_publisher() -> Publisher | None:
    """The publisher row admins saved, read now (the edit form's starting point)."""
    return Publisher.objects.filter(pk=1).first()


def page(kind: str) -> PublicPage:
    """The transparency page of ``kind`` (unsaved and empty if its row is missing)."""
    found = PublicPage.objects.filter(kind=kind).first()
    return found or PublicPage(kind=kind, title=PublicPageKind(kind).label, body="")


def pages() -> list[PublicPage]:
    """Every transparency page in ``PublicPageKind`` order (missing ones unsaved)."""
    found = {p.kind: p for p in PublicPage.objects.select_related("updated_by")}
    return [
        found.get(kind) or PublicPage(kind=kind, title=label, body="")
        for kind, label in PublicPageKind.choices
    ]


def scale() -> list[Rating]:
    """The ratings in use, in scale order, as the public ratings page lists them."""
    return list(Rating.objects.filter(active=True).order_by("order", "pk"))


def forget() -> None:
    """Drop the cached publisher and page stamp; run after a change commits."""
    cache.delete_many([CACHE_KEY, PAGES_CACHE_KEY])


def _placeholder_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS)
    return not address.is_global


def placeholder_problems(org: Organisation) -> list[str]:
    """Why ``org`` is a placeholder, not a real publisher ([] when it is real)."""
    problems = []
    name = " ".join(org.name.split())
    if not name or name.casefold() == PLACEHOLDER_NAME.casefold():
        problems.append(f"the publisher's name is the placeholder “{name}”")
    for label, url in (("URL", org.url), ("logo URL", org.logo_url)):
        if not url and label == "logo URL":
            continue
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        if not host or _placeholder_host(host):
            problems.append(f"the publisher's {label} “{url}” is a placeholder")
    return problems


def author() -> dict[str, Any]:
    """The publisher as a ClaimReview ``author``: name, url, and logo if set."""
    org = publisher()
    data: dict[str, Any] = {"@type": "Organization", "name": org.name, "url": org.url}
    if org.logo_url:
        data["logo"] = org.logo_url
    return data


def about_url(request: HttpRequest, kind: str) -> str:
    return request.build_absolute_uri(reverse("public-about", args=[kind]))


def markup(request: HttpRequest) -> dict[str, Any]:
    """The schema.org NewsMediaOrganization of the public pages (absolute URLs)."""
    org = publisher()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsMediaOrganization",
        "name": org.name,
        "url": org.url,
    }
    if org.logo_url:
        data["logo"] = org.logo_url
    for prop, kind in ABOUT_PROPERTIES.items():
        data[prop] = about_url(request, kind)
    return data


HINT = (
    "An admin sets the publisher's real name, URL and logo on Team → Organisation "
    "(/team/organisation/); until then FACTCHECK_ORG_NAME and FACTCHECK_ORG_URL "
    "stand in."
)


@checks.register(checks.Tags.security, deploy=True)
def check_publisher(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy``: refuse a placeholder publisher (it would author every
    ClaimReview). Reads the database, so only as a deploy check."""
    found: list[checks.CheckMessage] = []
    try:
        # A savepoint: on PostgreSQL a failed read would otherwise poison the
        # surrounding transaction for every later check.
        with transaction.atomic():
            org = load()
    except DatabaseError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        found.append(
            checks.Warning(
                f"Could not read the publisher from the database ({first_line}); "
                "judging the settings' FACTCHECK_ORG_NAME and FACTCHECK_ORG_URL only.",
                hint="Run `manage.py migrate` against the production database, "
                "then run this check again.",
                id="factcheck.W201",
            )
        )
        org = from_settings()
    problems = placeholder_problems(org)
    if problems:
        found.append(
            checks.Error(
                "The publisher named in every ClaimReview and on the public pages is "
                f"a placeholder: {'; '.join(problems)}.",
                hint=HINT,
                id="factcheck.E201",
            )
        )
    return found
