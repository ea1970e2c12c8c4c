"""``manage.py check_claimreview [--all] [SLUG...]``: lint every published claim page.

Each page is rendered through the real URL, middleware and view (Django's test
client, in process, over https) and its ClaimReview markup is parsed back from the
HTML and checked (``claimreview.lint_page``). Exits 1 listing every problem, so CI
can run it against a database with published fact-checks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from ...claimreview import lint_page
from ...models import Article
from ...publishing import latest_publications


def _default_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and not host.startswith(".") and host != "*":
            return host
    return "testserver"


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
        pages = 0
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
                for problem in lint_page(
                    response.content.decode(),
                    page_url=f"https://{host}{path}",
                    visible_rating=claim["rating"]["label"],
                ):
                    problems.append(f"{path}: {problem}")
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
        self.stdout.write(
            self.style.SUCCESS(
                f"ClaimReview OK on {pages} page(s) of {len(found)} fact-check(s)."
            )
        )
