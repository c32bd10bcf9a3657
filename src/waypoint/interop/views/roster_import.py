"""Interop pages: roster_import (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
