"""``manage.py demo``: migrate, the demo team, and the sample article; idempotent.

Everything goes through ``people`` and ``workflow``, so the demo data has a real
audit trail and exercises the same code paths as the desk.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ... import capture, people
from ...models import Article, User
from ...roles import Role, sync_roles

SEEDS = Path(settings.BASE_DIR) / "seeds"
# A short invented article the demo takes all the way to a public page.
PUBLISHED_DEMO = "001_demo_riverton_budget.txt"
DEMO_RATINGS = ["true", "mostly-true", "half-true", "misleading", "unverifiable"]

DEMO_PEOPLE = [
    # username, password, display name, roles
    ("reviewer", "review-desk-2026", "Rae Reviewer", [Role.REVIEWER]),
    ("reviewer2", "review-desk-2026", "Sam Second", [Role.REVIEWER]),
    ("editor", "edit-desk-2026", "Ed Editor", [Role.EDITOR]),
    ("editor2", "edit-desk-2026", "Eva Editor", [Role.EDITOR]),
    ("admin", "admin-desk-2026", "Ada Admin", [Role.ADMIN]),
]


class Command(BaseCommand):
    help = "Set up the demo desk: migrate, demo accounts, the sample article(s)."

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        sync_roles()
        for username, password, name, roles in DEMO_PEOPLE:
            if not User.objects.filter(username=username).exists():
                people.create_user(
                    actor=None,
                    username=username,
                    password=password,
                    display_name=name,
                    roles=roles,
                    email=f"{username}@desk.example",
                )
        ingester = User.objects.get(username="reviewer")
        with capture.paused():  # the demo's sources are invented URLs
            for path in sorted(SEEDS.glob("*.txt")):
                self._load_seed(path, ingester)
        self.stdout.write(self.style.SUCCESS("Demo desk ready. Log in as:"))
        for username, password, _name, roles in DEMO_PEOPLE:
            role_names = ", ".join(r.label for r in roles)
            self.stdout.write(
                f"  {username:<10} password {password:<18} ({role_names})"
            )

    def _load_seed(self, path: Path, ingester: User) -> None:
        from ...workflow import create_article

        raw = path.read_bytes()
        if Article.objects.filter(source_filename=path.name).exists():
            return
        article = create_article(
            actor=ingester,
            raw=raw,
            filename=path.name,
            metadata={
                "outlet": "Riverton Gazette (fictional)"
                if path.name == PUBLISHED_DEMO
                else "Sample wire"
            },
        )
        self.stdout.write(f"Loaded {path.name}: {article.claims.count()} claims")
        if path.name == PUBLISHED_DEMO:
            self._publish(article)
        else:
            self._start_the_work(article)

    def _start_the_work(self, article: Article) -> None:
        """Put a few claims mid-life, so every screen has something to show."""
        from ... import workflow
        from ...models import Rating

        reviewer = User.objects.get(username="reviewer")
        second = User.objects.get(username="reviewer2")
        editor = User.objects.get(username="editor")
        claims = list(article.claims.order_by("-score", "start")[:3])
        unverifiable = Rating.objects.get(slug="unverifiable")
        for claim, who in zip(claims, (reviewer, second, reviewer), strict=False):
            workflow.take_claim(claim, actor=who)
            workflow.add_source(
                claim,
                actor=who,
                url=f"https://example.org/demo-source/{claim.position}",
                title="Demo source: replace with the primary document",
                publisher="Example publisher",
            )
            workflow.add_note(
                claim, actor=who, body="Demo note: look for the **primary** source."
            )
        # One verdict approved, one awaiting approval, one still in progress.
        for claim, who in zip(claims[:2], (reviewer, second), strict=False):
            workflow.submit_verdict(
                claim,
                actor=who,
                rating=unverifiable,
                rationale="Demo verdict: no public record confirms or refutes this.",
            )
        if claims:
            workflow.approve_verdict(claims[0], actor=editor)

    def _publish(self, article: Article) -> None:
        """Check, approve and publish every claim, so the public pages have content."""
        from ... import workflow
        from ...models import Rating

        reviewer = User.objects.get(username="reviewer2")
        editor = User.objects.get(username="editor2")
        for n, claim in enumerate(article.claims.order_by("start")):
            workflow.take_claim(claim, actor=reviewer)
            workflow.add_source(
                claim,
                actor=reviewer,
                url=f"https://example.org/riverton/budget-2026#{claim.position}",
                title="Riverton 2026 budget (demo document)",
                publisher="Riverton town council (fictional)",
                excerpt="Demo excerpt standing in for the primary document.",
            )
            rating = Rating.objects.get(slug=DEMO_RATINGS[n % len(DEMO_RATINGS)])
            workflow.submit_verdict(
                claim,
                actor=reviewer,
                rating=rating,
                rationale=(
                    "Demo rationale: the council's budget document is the primary "
                    f"source; this invented example is rated *{rating.label}*."
                ),
            )
            workflow.approve_verdict(claim, actor=editor)
        publication = workflow.publish_article(article, actor=editor)
        self.stdout.write(
            f"Published {article.title!r} at /fact-checks/{article.slug}/ "
            f"(version {publication.version})"
        )
