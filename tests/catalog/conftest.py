"""The catalog tests run in the small world of the pathways tests (a district, its people, a provider and an
internship), declared once in tests/pathways/conftest.py."""

from tests.pathways.conftest import world

__all__ = ["world"]
