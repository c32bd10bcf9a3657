"""Interop pages: sign_in (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
