"""Suggestions for the search-as-you-type filters: at most ``LIMIT`` ``<option>``s.

The answer is a fragment for a ``<datalist>``. The work is bounded whatever the
archive: an id is one primary-key fetch and words one query with a LIMIT. An empty
box gets an empty list, an oversized one a 400 that says why. The text comes as
``q``, or under the box's own name (``?field=article&article=…``), which is what
htmx sends for an input without any script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms.lookups import article_suggestions, people_suggestions

TEMPLATE = "factcheck/_lookup_options.html"


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def lookup_articles(request: HttpRequest) -> HttpResponse:
    return _options(request, article_suggestions)


@require_GET
@permission_required("factcheck.view_auditevent", raise_exception=True)
def lookup_people(request: HttpRequest) -> HttpResponse:
    """People are looked up to filter the audit log, so its readers only."""
    return _options(request, people_suggestions)


def _options(request: HttpRequest, suggest: Callable) -> HttpResponse:
    text = request.GET.get("q")
    if text is None:
        text = request.GET.get(request.GET.get("field", ""), "")
    try:
        options = suggest(text)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0], content_type="text/plain")
    return render(request, TEMPLATE, {"options": options})
