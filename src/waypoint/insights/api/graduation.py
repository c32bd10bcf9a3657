"""Placeholder until its owner writes it: this area's API."""

from ninja import Router

router = Router()
