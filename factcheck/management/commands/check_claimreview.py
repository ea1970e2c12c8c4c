"""``manage.py check_claimreview [--all] [SLUG...]``: lint every published claim page.

Each page is rendered through the real URL, middleware and view (Django's test
client, in process, over https) and its ClaimReview markup is parsed back from the
HTML and checked (``claimreview.lint_page``): exactly one ClaimReview on the page of
a claim that carries one (``claimreview.carries_claimreview``: a verdict with a
source), none on the others. Every claim page must also link the ratings and
methodology pages.

With ``--all`` it checks the transparency pages too: each exists with a non-empty
text, and the organisation markup on the index lists the policy pages
(``organisation.POLICY_PROPERTIES`` and the rest of ``ABOUT_PROPERTIES``) at URLs
that answer 200. Exits 1 listing every problem, so CI can run it against a database
with published fact-checks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from ... import organisation
from ...claimreview import carries_claimreview, links_in, lint_page, organisations_in
from ...models import Article, PublicPageKind
from ...publishing import latest_publications


def _default_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith(".") and host != "*":
            return host
    return "testserver"


VERDICT_LINKS = (PublicPageKind.RATINGS, PublicPageKind.METHODOLOGY)


def _missing_verdict_links(path: str, html: str) -> list[str]:
    """A claim page must link the ratings and methodology pages."""
    links = {urlsplit(href).path for href in links_in(html)}
    return [
        f"{path}: no link to the {kind} page ({reverse('public-about', args=[kind])})."
        for kind in VERDICT_LINKS
        if reverse("public-about", args=[kind]) not in links
    ]


def _transparency_problems(client: Client, host: str) -> list[str]:
    """Every transparency page written, and the index's organisation markup
    linking them at URLs that answer."""
    problems = [
        f"The {page.get_kind_display().lower()} page ({page.kind}) has no text."
        for page in organisation.pages()
        if not page.pk or not page.body.strip()
    ]
    index = reverse("public-index")
    response = client.get(index, secure=True)
    markups = organisations_in(response.content.decode())
    if response.status_code != 200 or len(markups) != 1:
        found = len(markups)
        return problems + [
            f"{index}: expected one NewsMediaOrganization, found {found} "
            f"(status {response.status_code})."
        ]
    markup = markups[0]
    for prop, kind in organisation.ABOUT_PROPERTIES.items():
        url = markup.get(prop)
        expected = f"https://{host}{reverse('public-about', args=[kind])}"
        if not isinstance(url, str) or not url:
            problems.append(f"{index}: the organisation markup has no {prop}.")
            continue
        if url != expected:
            problems.append(f"{index}: {prop} is {url}, expected {expected}.")
            continue
        status = client.get(urlsplit(url).path, secure=True).status_code
        if status != 200:
            problems.append(f"{index}: {prop} {url} answered {status}.")
    for key in ("name", "url"):
        if not str(markup.get(key) or "").strip():
            problems.append(f"{index}: the organisation markup has no {key}.")
    return problems


class Command(BaseCommand):
    help = "Render every published claim page and lint its ClaimReview markup."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument(
            "--all", action="store_true", help="Every published fact-check."
        )
        parser.add_argument("--host", default="", help="Host name the pages use.")

    def handle(self, *args, **options):
        slugs = options["slugs"]
        if not slugs and not options["all"]:
            raise CommandError("Name one or more SLUGs, or pass --all.")
        host = options["host"] or _default_host()
        publications = latest_publications().select_related("article")
        if not options["all"]:
            publications = publications.filter(article__slug__in=slugs)
        problems: list[str] = []
        found = set()
        pages = marked = 0
        client = Client(HTTP_HOST=host)
        for publication in publications:
            slug = publication.article.slug
            found.add(slug)
            for claim in publication.payload["claims"]:
                path = reverse("public-claim", args=[slug, claim["n"]])
                pages += 1
                response = client.get(path, secure=True)
                if response.status_code != 200:
                    problems.append(f"{path}: answered {response.status_code}.")
                    continue
                html = response.content.decode()
                expected = carries_claimreview(claim)
                marked += expected
                for problem in lint_page(
                    html,
                    page_url=f"https://{host}{path}",
                    visible_rating=claim["rating"]["label"],
                    expect_claimreview=expected,
                ):
                    problems.append(f"{path}: {problem}")
                problems += _missing_verdict_links(path, html)
        if options["all"]:
            problems += _transparency_problems(client, host)
        for slug in set(slugs) - found:
            state = Article.objects.filter(slug=slug).values_list("state", flat=True)
            problems.append(
                f"{slug}: not published ({state[0] if state else 'no such article'})."
            )
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(problems)} ClaimReview problem(s) on {pages} page(s).",
                returncode=1,
            )
        summary = (
            f"ClaimReview OK on {pages} page(s) of {len(found)} fact-check(s) "
            f"({marked} with ClaimReview, {pages - marked} without)."
        )
        if options["all"]:
            summary += " Transparency pages and organisation markup OK."
        self.stdout.write(self.style.SUCCESS(summary))
