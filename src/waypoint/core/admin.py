"""Django admin for district IT: organizations, accounts, roles, certifications and sections.

Student records, demographics and the audit log are deliberately absent: the admin bypasses the access
policy and the audit trail, so student data is read only through Waypoint's own pages and API.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from waypoint.core.models import (
    AccessToken,
    Organization,
    RoleAssignment,
    Section,
    SectionTeacher,
    TeacherCertification,
    User,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "kind", "sourced_id", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "sourced_id", "slug"]


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    extra = 0


class CertificationInline(admin.TabularInline[TeacherCertification, User]):
    model = TeacherCertification
    extra = 0


@admin.register(User)
class WaypointUserAdmin(UserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "district", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "district"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Waypoint", {"fields": ("district", "sourced_id")}))
    inlines = [RoleAssignmentInline, CertificationInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["user", "role", "organization", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]


@admin.register(TeacherCertification)
class TeacherCertificationAdmin(admin.ModelAdmin[TeacherCertification]):
    list_display = ["teacher", "number", "area", "issued_on", "expires_on"]
    search_fields = ["teacher__username", "number"]


class SectionTeacherInline(admin.TabularInline[SectionTeacher, Section]):
    model = SectionTeacher
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin[Section]):
    list_display = ["title", "school", "course_code", "starts_on", "ends_on"]
    list_filter = ["school"]
    search_fields = ["title", "course_code", "sourced_id"]
    inlines = [SectionTeacherInline]


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin[AccessToken]):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "token_digest", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]
