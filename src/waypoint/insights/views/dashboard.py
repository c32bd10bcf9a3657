"""Placeholder until its owner writes it: the routes of this area."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
