"""The interop API: roster exports (being built)."""

from ninja import Router

router = Router()
