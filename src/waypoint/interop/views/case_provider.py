"""Interop pages: case_provider (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
