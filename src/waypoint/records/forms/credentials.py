"""The forms of verifiable credentials: the public verification page (a pasted token or an uploaded file)
and the revocation of an issued credential (a reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from waypoint.records.services.credentials import REASON_MAX

# A CLR of every competency of a graduate profile is tens of kilobytes; a megabyte leaves room and no more.
MAX_CREDENTIAL_BYTES = 1_000_000


class VerifyForm(forms.Form):
    """A credential to check: pasted, or a file (.jwt or .json; what it is, is read from its content)."""

    token = forms.CharField(
        label=gettext_lazy("Paste the credential"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_CREDENTIAL_BYTES,
        help_text=gettext_lazy("The signed credential (a VC-JWT, three parts joined by dots) or its JSON."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload the file"),
        required=False,
        help_text=gettext_lazy("The .jwt or .json file you were given, up to 1 MB."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = (cleaned.get("token") or "").strip()
        if upload is not None:
            if upload.size > MAX_CREDENTIAL_BYTES:
                raise forms.ValidationError(
                    gettext("The file is larger than 1 MB: no credential is that big.")
                )
            cleaned["data"] = upload.read(MAX_CREDENTIAL_BYTES + 1)
        elif text:
            cleaned["data"] = text
        else:
            raise forms.ValidationError(gettext("Paste a credential or choose its file."))
        return cleaned


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it revoked?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the audit log; the public revocation list shows only the date."),
    )
