"""The interop API: rosters (being built)."""

from ninja import Router

router = Router()
