"""Notifications are about students, so the admin never lists them (docs/privacy.md, the Django admin);
district IT may see and reset people's delivery choices."""

from __future__ import annotations

from django.contrib import admin

from waypoint.notifications.models import NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "kind", "delivery", "updated_at")
    list_filter = ("kind", "delivery")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
