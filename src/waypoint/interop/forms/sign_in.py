"""Forms of signing in: the password form, which sends staff of a district that requires its provider to
that provider, and a district's provider settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, gettext_lazy

from waypoint.core.models import User
from waypoint.interop.models import IdentityProvider
from waypoint.interop.selectors.sign_in import provider_required_for
from waypoint.interop.services.sign_in import SignInSettings


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form (lockout unchanged: axes sees every attempt), refusing a Waypoint password to
    staff whose district requires its identity provider; students and guardians keep their passwords."""

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        provider = provider_required_for(user)
        if provider is not None:
            raise forms.ValidationError(
                gettext(
                    "%(district)s signs staff in through %(provider)s. Use the “Sign in with %(provider)s” "
                    "button below."
                )
                % {"district": provider.district.name, "provider": provider.display_name},
                code="provider_required",
            )


class _CheckedByService(forms.CharField):
    """A field every provider needs, shown as such, whose emptiness the service refuses in its own words
    together with every other problem (the same for the page and the API), rather than one at a time."""

    def validate(self, value: Any) -> None:
        return None


class SignInSettingsForm(forms.Form):
    """A district's provider: who it is, how Waypoint is registered with it, and how people are found."""

    display_name = _CheckedByService(
        label=gettext_lazy("Provider name"),
        max_length=100,
        help_text=gettext_lazy("Shown on the sign-in button, e.g. “Google” or “Microsoft”."),
    )
    issuer = _CheckedByService(
        label=gettext_lazy("Issuer"),
        max_length=500,
        help_text=gettext_lazy(
            "The provider's issuer address, e.g. https://accounts.google.com; Waypoint reads its discovery "
            "document from it."
        ),
    )
    client_id = _CheckedByService(label=gettext_lazy("Client id"), max_length=255)
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    match_claim = _CheckedByService(
        label=gettext_lazy("Claim that identifies a person"),
        max_length=64,
        initial="email",
        help_text=gettext_lazy(
            "The ID token claim Waypoint reads, e.g. email, or the claim carrying the SIS id."
        ),
    )
    match_field = forms.ChoiceField(
        label=gettext_lazy("Matched against"),
        choices=IdentityProvider.MatchField.choices,
        initial=IdentityProvider.MatchField.EMAIL,
    )
    required_for_staff = forms.BooleanField(
        label=gettext_lazy("Staff must sign in through this provider"),
        required=False,
        help_text=gettext_lazy("Students and guardians keep their Waypoint passwords."),
    )
    enabled = forms.BooleanField(
        label=gettext_lazy("Offer this provider on the sign-in page"), required=False, initial=True
    )

    def __init__(self, *args: Any, secret_stored: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = (
            gettext("A secret is saved (not shown). Leave this empty to keep it.")
            if secret_stored
            else gettext("The secret the provider gave Waypoint; it is never shown again.")
        )

    def entered(self) -> SignInSettings:
        data = self.cleaned_data
        return SignInSettings(
            display_name=data["display_name"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            match_claim=data["match_claim"],
            match_field=data["match_field"],
            required_for_staff=data["required_for_staff"],
            enabled=data["enabled"],
        )
