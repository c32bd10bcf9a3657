"""Django admin for the catalog: read-only views of providers and opportunities for district IT. Profiles,
plans and paths are student data and are not registered (docs/privacy.md)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waypoint.catalog.models import Opportunity, Provider


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(ReadOnly, admin.ModelAdmin[Provider]):
    list_display = ["name", "kind", "district", "contact_name"]
    list_filter = ["kind", "district"]
    search_fields = ["name"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnly, admin.ModelAdmin[Opportunity]):
    list_display = ["title", "kind", "district", "provider", "capacity", "is_active", "shared_as_template"]
    list_filter = ["kind", "location", "is_active", "shared_as_template", "district"]
    search_fields = ["title"]
