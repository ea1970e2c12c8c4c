"""Desk search: one box in the navigation finds articles and claims by words.

The work (cleaning the query, permissions, PostgreSQL or SQLite) is in
``factcheck.search``; this page only shows what it found. A GET form, so a search is
a link that can be shared and works without JavaScript.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..search import search_desk


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def search(request: HttpRequest) -> HttpResponse:
    results = search_desk(request.user, request.GET.get("q", ""))
    return render(request, "factcheck/search.html", {"results": results})
