"""Django admin for frameworks: read-only views for district IT. Every change goes through Waypoint's own
editor and importer, which keep published versions immutable and scales in use frozen."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from waypoint.frameworks.models import (
    Framework,
    FrameworkAdoption,
    FrameworkImport,
    FrameworkVersion,
    ProficiencyScale,
    Rubric,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnly, admin.ModelAdmin[Framework]):
    list_display = ["title", "kind", "owner", "case_identifier"]
    list_filter = ["kind", "owner"]
    search_fields = ["title", "case_identifier"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnly, admin.ModelAdmin[FrameworkVersion]):
    list_display = ["framework", "number", "status", "published_at"]
    list_filter = ["status"]


@admin.register(FrameworkAdoption)
class FrameworkAdoptionAdmin(ReadOnly, admin.ModelAdmin[FrameworkAdoption]):
    list_display = ["framework", "district", "adopted_on"]


@admin.register(FrameworkImport)
class FrameworkImportAdmin(ReadOnly, admin.ModelAdmin[FrameworkImport]):
    list_display = ["file_name", "outcome", "item_count", "association_count", "imported_by", "imported_at"]


@admin.register(ProficiencyScale)
class ProficiencyScaleAdmin(ReadOnly, admin.ModelAdmin[ProficiencyScale]):
    list_display = ["name", "owner", "in_use_since"]


@admin.register(Rubric)
class RubricAdmin(ReadOnly, admin.ModelAdmin[Rubric]):
    list_display = ["title", "owner", "scale"]
