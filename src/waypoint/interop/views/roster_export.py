"""Interop pages: roster_export (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
