"""The public forms: subscribe and preferences."""

from __future__ import annotations

from django import forms

from .hooks import section_choices
from .models import Language, MailingList


def _section_field(language: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=[(s.key, s.name(language)) for s in section_choices()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class SubscribeForm(forms.Form):
    email = forms.CharField(max_length=254)
    name = forms.CharField(max_length=200, required=False)
    # Left empty by people; bots fill every field. A filled one is dropped without a word.
    website = forms.CharField(required=False)

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"] = _section_field(language)


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices, widget=forms.RadioSelect)
    lists = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"] = _section_field(language)
        self.fields["lists"].choices = [
            (str(m.pk), m.name) for m in MailingList.objects.order_by("name")
        ]
