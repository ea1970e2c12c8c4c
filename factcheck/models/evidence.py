"""Evidence that survives: what a source's URL served when the desk fetched it.

A snapshot is written by the capture task (``factcheck/capture.py``) and never
changed: a later fetch is a new row. The text is plain text only (HTML reduced to
its main text, PDF to its text) and is served as ``text/plain``, never rendered.
"""

from __future__ import annotations

from django.db import models


class ExcerptStatus(models.TextChoices):
    FOUND = "found", "excerpt found on the page"
    NOT_FOUND = "not_found", "excerpt not found on the page"
    NO_EXCERPT = "no_excerpt", "no excerpt to check"
    NOT_CAPTURED = "not_captured", "not captured"


class SourceSnapshot(models.Model):
    source = models.ForeignKey(
        "factcheck.Source", on_delete=models.PROTECT, related_name="snapshots"
    )
    fetched_at = models.DateTimeField()
    url = models.URLField(max_length=1000)  # the URL asked for
    final_url = models.URLField(max_length=2000, blank=True)  # after redirects
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the body as served
    size = models.PositiveIntegerField(default=0)  # bytes of the body
    text = models.TextField(blank=True)
    # Why there is no text (refused, unreachable, 404, nothing extracted); "" if ok.
    error = models.CharField(max_length=500, blank=True)
    excerpt_status = models.CharField(max_length=20, choices=ExcerptStatus.choices)
    # How close the best match came (0-100); exact matches score 100.
    excerpt_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        indexes = [
            models.Index(
                fields=["source", "-fetched_at"], name="snapshot_source_latest"
            )
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    @property
    def captured(self) -> bool:
        return not self.error
