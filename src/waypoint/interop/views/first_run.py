"""Interop pages: first_run (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
