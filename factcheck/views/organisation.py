"""The organisation screen (admins): the publisher, and the public transparency pages.

Both are plain forms (no JavaScript needed): a save goes through
``workflow.update_publisher`` / ``workflow.update_public_page`` via ``perform()`` and
redirects with a notice; a refusal re-renders the page with the typed values and the
reason (400 bad input, 403 role, 409 someone else saved first: the form then
carries their version, so saving again on purpose overwrites it).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import organisation, workflow
from ..forms.organisation import PublicPageForm, PublisherForm
from ..models import PublicPageKind
from ..rendering import render_markdown
from ..workflow.organisation import version_of
from .common import perform

MANAGE = "factcheck.manage_users"


def _organisation_page(request: HttpRequest, form, *, status: int = 200):
    current = organisation.load()
    context = {
        "form": form,
        "pages": organisation.pages(),
        "placeholder": organisation.placeholder_problems(current),
        "saved": current.saved,
    }
    return render(request, "factcheck/organisation.html", context, status=status)


def _rebound(form_class, request: HttpRequest, current):
    """The user's input again, now carrying the current version (after a conflict)."""
    data = request.POST.copy()
    data["version"] = version_of(current)
    return form_class(data)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def organisation_edit(request: HttpRequest) -> HttpResponse:
    row = organisation.saved_publisher()
    if request.method == "GET":
        current = row or organisation.from_settings()
        initial = {
            "name": current.name,
            "url": current.url,
            "logo_url": current.logo_url,
            "version": version_of(row),
        }
        return _organisation_page(request, PublisherForm(initial=initial))
    form = PublisherForm(request.POST)
    if not form.is_valid():
        return _organisation_page(request, form, status=400)
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.update_publisher(
            actor=request.user,
            name=data["name"],
            url=data["url"],
            logo_url=data["logo_url"],
            expected_version=data["version"],
        ),
        success="Saved the publisher.",
    )
    if not outcome.ok:
        if outcome.status == 409:
            form = _rebound(PublisherForm, request, outcome.current)
        form.add_error(None, outcome.message)
        return _organisation_page(request, form, status=outcome.status)
    messages.success(request, outcome.message)
    return redirect("organisation-edit")


def _kind(kind: str) -> str:
    if kind not in PublicPageKind.values:
        raise Http404("No such page.")
    return kind


def _page_form_page(request, form, page, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "page": page, "saved_html": render_markdown(page.body)}
    return render(request, "factcheck/public_page_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def public_page_edit(request: HttpRequest, kind: str) -> HttpResponse:
    page = organisation.page(_kind(kind))
    if request.method == "GET":
        initial = {"title": page.title, "body": page.body, "version": version_of(page)}
        return _page_form_page(request, PublicPageForm(initial=initial), page)
    form = PublicPageForm(request.POST)
    if not form.is_valid():
        return _page_form_page(request, form, page, status=400)
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.update_public_page(
            kind,
            actor=request.user,
            title=data["title"],
            body=data["body"],
            expected_version=data["version"],
        ),
        success=f"Saved “{data['title']}”.",
    )
    if not outcome.ok:
        if outcome.status == 409:
            page = organisation.page(kind)
            form = _rebound(PublicPageForm, request, page)
        form.add_error(None, outcome.message)
        return _page_form_page(request, form, page, status=outcome.status)
    messages.success(request, outcome.message)
    return redirect("organisation-edit")
