"""The interop API: sign_in (being built)."""

from ninja import Router

router = Router()
