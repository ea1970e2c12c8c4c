"""A source's captured text, served as plain text only.

The snapshot is whatever a third-party page said: it is never rendered as HTML.
The response is ``text/plain`` with ``nosniff`` (no browser guesses HTML) and a
sandbox CSP (no script, no same-origin rights even if a browser did).
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..access import get_claim_for
from ..models import Source, SourceSnapshot

SANDBOX = "sandbox; default-src 'none'"


@require_GET
@permission_required("factcheck.view_claim", raise_exception=True)
def source_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest snapshot of the source that has text, with where it came from."""
    source = Source.objects.filter(pk=pk).only("pk", "claim_id", "url").first()
    if source is None:
        raise Http404("No such source.")
    get_claim_for(request.user, source.claim_id)  # 404 for a claim not theirs
    snapshot = (
        SourceSnapshot.objects.filter(source=source, error="")
        .order_by("-fetched_at", "-pk")
        .first()
    )
    if snapshot is None:
        raise Http404("This source has no captured text.")
    fetched = f"{snapshot.fetched_at:%Y-%m-%d %H:%M:%S %Z}"
    head = [
        f"Snapshot of {snapshot.url}",
        f"Fetched {fetched}, HTTP {snapshot.status_code}, {snapshot.content_type}, "
        f"{snapshot.size} bytes",
        f"Final URL: {snapshot.final_url}",
        f"SHA-256 of the body: {snapshot.sha256}",
        "",
        "",
    ]
    response = HttpResponse(
        "\n".join(head) + snapshot.text, content_type="text/plain; charset=utf-8"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Content-Disposition"] = f'inline; filename="source-{source.pk}.txt"'
    return response
