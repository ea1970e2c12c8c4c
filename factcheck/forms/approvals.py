"""Input of the editor's decisions: approve, return (comment), reopen (reason).

Presence of the comment and reason is the workflow's rule (it raises a clear
ValidationError); the form only bounds lengths and parses the version.
"""

from __future__ import annotations

from django import forms

MAX_TEXT = 4000


class DecisionForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    comment = forms.CharField(required=False, max_length=MAX_TEXT, strip=True)
    reason = forms.CharField(required=False, max_length=MAX_TEXT, strip=True)
    next = forms.CharField(required=False, max_length=500)
    # The editor checked the sources whose excerpt was not found on the page.
    confirm_excerpts = forms.BooleanField(required=False)

    def error_text(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)
