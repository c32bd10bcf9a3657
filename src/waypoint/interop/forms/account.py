"""Forms of a person's own account: asking for a password reset link, and entering a two-step code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class SecondFactorCodeForm(forms.Form):
    """A 6-digit code from an authenticator app; spaces (some apps show "123 456") are dropped."""

    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(gettext_lazy("Enter the 6 digits your authenticator app shows."))
        return code
