"""Search-as-you-type filter fields: one article or person, or the rows words match.

A filter with one option per article or person cannot be a ``<select>`` once the
archive holds thousands of them. A lookup field is a text box that accepts what a
suggestion's value looks like (``Title (#12)``), a bare id (``#12`` or ``12``, as
links from other pages write it) or free words, and resolves to one row or to a
QuerySet of the rows the words match. With htmx the box fetches at most ``LIMIT``
suggestions into its ``<datalist>`` as the user types (``views/lookups.py``);
without JavaScript it is a plain text filter.

The matching rules live here once; the fields and the suggestion views share them.
An id names a row or is an error; an error falls back to "no filter", with a
message, in the forms that use these fields.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode

from django import forms
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Lower
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.html import format_html

from ..models import Article, User

LIMIT = 20  # suggestions per answer
# Room for a whole suggestion value: a 300-character title plus its " (#id)".
MAX_LENGTH = 400
# Words matching more rows than this filter by subquery. Each id is a query
# parameter, repeated in every facet count (about 25): well under the limits of
# PostgreSQL (65,535) and SQLite (32,766).
MANY_IDS = 500
MAX_ID = 2**31 - 1  # larger ids cannot exist (a PostgreSQL integer)
_ID = re.compile(r"#?(\d+)")
_ID_SUFFIX = re.compile(r"\(#(\d+)\)$")


def clean_text(raw: object) -> str:
    """The text as typed, control characters out and spaces squeezed.

    Raises ValidationError when it is longer than any value could be.
    """
    text = raw if isinstance(raw, str) else ""
    if len(text) > MAX_LENGTH * 2:
        raise forms.ValidationError(f"Type at most {MAX_LENGTH} characters.")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > MAX_LENGTH:
        raise forms.ValidationError(f"Type at most {MAX_LENGTH} characters.")
    return text


def referenced_id(text: str) -> int | None:
    """The id in ``12``, ``#12`` or ``Some title (#12)``; None for plain words."""
    match = _ID.fullmatch(text) or _ID_SUFFIX.search(text)
    return int(match.group(1)) if match else None


# --- The matching rules -------------------------------------------------------------


def articles_matching(words: str) -> QuerySet[Article]:
    """Articles whose title contains the words (as typed, any case)."""
    return Article.objects.filter(title__icontains=words)


def people_matching(words: str) -> QuerySet[User]:
    """People whose username starts with the words (any case)."""
    return User.objects.filter(username__istartswith=words)


def article_value(article: Article) -> str:
    return f"{article.title} (#{article.pk})"


def person_value(user: User) -> str:
    return f"{user.username} (#{user.pk})"


def article_suggestions(raw: object) -> list[tuple[str, str]]:
    """At most LIMIT (value, label) pairs: the article an id names, then the newest
    whose titles contain the text."""
    found = _suggest(
        Article, ("pk", "title"), clean_text(raw), articles_matching, "-pk"
    )
    return [(article_value(a), "") for a in found]


# What ``str(user)`` reads.
_PERSON_FIELDS = (
    "pk", "username", "display_name", "first_name", "last_name", "is_service_account",
)  # fmt: skip


def people_suggestions(raw: object) -> list[tuple[str, str]]:
    """At most LIMIT (value, label) pairs: the person an id names, then usernames
    starting with the text, alphabetically; the label is the name shown elsewhere."""
    text = clean_text(raw)
    found = _suggest(User, _PERSON_FIELDS, text, people_matching, Lower("username"))
    return [(person_value(u), "" if str(u) == u.username else str(u)) for u in found]


def _suggest(model, fields, text: str, matching, order) -> list:
    """The row an id names, then up to LIMIT rows the words match: two bounded
    queries at most. Digits alone are both an id and words (titles hold numbers)."""
    if not text:
        return []
    pk = referenced_id(text)
    found = _by_id(model.objects.only(*fields), pk)
    if pk is None or text.isdigit():
        words = matching(text).only(*fields).exclude(pk__in=[r.pk for r in found])
        found += list(words.order_by(order)[: LIMIT - len(found)])
    return found


def lookup_q(field: str, value: Model | QuerySet | None) -> Q:
    """A filter on ``field`` for what a lookup field resolved to: that row, any row
    of the QuerySet, or anything (None)."""
    if value is None:
        return Q()
    if isinstance(value, QuerySet):
        return Q(**{f"{field}__in": value.values("pk")})
    return Q(**{field: value})


def _resolved(rows: QuerySet) -> QuerySet:
    """The rows as a list of ids when there are at most ``MANY_IDS`` of them.

    A page filters several queries (a count per facet) by the same words; matching
    the words once here spares every one of them a scan of the titles. Words that
    match more rows stay a subquery."""
    ids = list(rows.values_list("pk", flat=True)[: MANY_IDS + 1])
    if len(ids) > MANY_IDS:
        return rows
    return rows.model.objects.filter(pk__in=ids)


def _by_id(rows: QuerySet, pk: int | None) -> list:
    if pk is None or pk > MAX_ID:
        return []
    return list(rows.filter(pk=pk))


# --- The field and its widget -------------------------------------------------------


class LookupWidget(forms.TextInput):
    """``<input type="search" list=…>`` and its ``<datalist>``; htmx refills the list
    from the lookup URL as the user types (its own value only, under its own name)."""

    input_type = "search"

    def __init__(self, url_name: str, attrs: dict | None = None):
        super().__init__(
            {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )
        self.url_name = url_name

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {})}
        list_id = f"{attrs.get('id') or name}-options"
        attrs.update(
            {
                "list": list_id,
                "hx-get": f"{reverse(self.url_name)}?{urlencode({'field': name})}",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{list_id}",
                # Explicit, so nothing is inherited from a filter form around it.
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                "hx-sync": "this:replace",
            }
        )
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', box, list_id)


class LookupBoundField(BoundField):
    """Shows a resolved row as its suggestion value, so ``?article=12`` reads as
    ``Title (#12)`` in the box."""

    def value(self):
        resolved = getattr(self.form, "cleaned_data", {}).get(self.name)
        if isinstance(resolved, Model):
            return self.field.option_value(resolved)
        return super().value()


class LookupField(forms.Field):
    """One row (by id) or the rows some words match; None when empty."""

    bound_field_class = LookupBoundField
    noun = "row"
    url_name = ""
    placeholder = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", LookupWidget(self.url_name, {"placeholder": self.placeholder})
        )
        super().__init__(**kwargs)

    def clean(self, value) -> Model | QuerySet | None:
        text = clean_text(value)
        if not text:
            return None
        pk = referenced_id(text)
        if pk is None:
            return _resolved(self.matching(text))
        found = _by_id(self.rows(), pk)
        if not found:
            raise forms.ValidationError(f"There is no {self.noun} #{pk}.")
        return found[0]

    # Each kind of lookup (below) says what it looks through:
    def rows(self) -> QuerySet:
        """Every row an ``#id`` may name."""
        raise NotImplementedError

    def matching(self, words: str) -> QuerySet:
        """The rows some free words match."""
        raise NotImplementedError

    def option_value(self, row) -> str:
        """How a row reads as a suggestion (and back in the box)."""
        raise NotImplementedError


class ArticleLookupField(LookupField):
    noun = "article"
    url_name = "lookup-articles"
    placeholder = "Title, words from it, or #id"

    def rows(self) -> QuerySet[Article]:
        return Article.objects.only("pk", "title")

    def matching(self, words: str) -> QuerySet[Article]:
        return articles_matching(words)

    def option_value(self, row: Article) -> str:
        return article_value(row)


class PersonLookupField(LookupField):
    noun = "person"
    url_name = "lookup-people"
    placeholder = "Username, its start, or #id"

    def rows(self) -> QuerySet[User]:
        return User.objects.only("pk", "username")

    def matching(self, words: str) -> QuerySet[User]:
        return people_matching(words)

    def option_value(self, row: User) -> str:
        return person_value(row)
