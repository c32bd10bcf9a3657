"""The framework panels of a home page, for the district administrators who manage frameworks: the drafts
waiting to be published and the recent CASE imports with their warnings. Frameworks are not student data:
nothing here is audited."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from waypoint import policy
from waypoint.core.home import TODAY, HomeItem, HomePanel
from waypoint.core.models import User
from waypoint.frameworks.models import FrameworkImport, FrameworkVersion, VersionStatus
from waypoint.policy import Action

SHOWN = 5
# Imports older than this are history, kept on each version's page.
RECENT_IMPORTS = datetime.timedelta(days=30)


def home_panels(request: HttpRequest, user: User) -> list[HomePanel]:
    access = policy.request_access(request)
    if not access.can(Action.MANAGE_FRAMEWORKS):
        return []
    managed = policy.framework_districts(access.user, access.on)
    return [_drafts(managed), _imports(managed)]


def _drafts(managed: set[int]) -> HomePanel:
    drafts = list(
        FrameworkVersion.objects.filter(status=VersionStatus.DRAFT, framework__owner_id__in=managed)
        .select_related("framework")
        .order_by("created_at", "id")
    )
    return HomePanel(
        key="drafts",
        title=gettext("Drafts to publish"),
        order=TODAY + 15,
        tone="action" if drafts else "info",
        intro=gettext(
            "Teachers score against published versions only; a draft changes nothing until it is published."
        )
        if drafts
        else "",
        items=tuple(
            HomeItem(
                gettext("%(framework)s, version %(number)s")
                % {"framework": draft.framework.title, "number": draft.number},
                reverse("framework-version", args=[draft.pk]),
                detail=gettext("Draft since %(date)s")
                % {"date": date_format(timezone.localtime(draft.created_at))},
                tone="action",
            )
            for draft in drafts[:SHOWN]
        ),
        count=len(drafts),
        empty=gettext("No framework draft is waiting."),
        action=HomeItem(gettext("All frameworks"), reverse("framework-list")),
    )


def _imports(managed: set[int]) -> HomePanel:
    since = timezone.now() - RECENT_IMPORTS
    imports = list(
        FrameworkImport.objects.filter(version__framework__owner_id__in=managed, imported_at__gte=since)
        .select_related("version__framework")
        .order_by("-imported_at", "-id")[:SHOWN]
    )
    return HomePanel(
        key="imports",
        title=gettext("Recent CASE imports"),
        order=TODAY + 25,
        tone="warning" if any(item.warnings for item in imports) else "info",
        items=tuple(_import_item(item) for item in imports),
        empty=gettext("No CASE file was imported in the last 30 days."),
        action=HomeItem(gettext("Import a CASE file"), reverse("framework-import")),
    )


def _import_item(item: FrameworkImport) -> HomeItem:
    outcome = FrameworkImport.Outcome(item.outcome).label
    when = date_format(timezone.localtime(item.imported_at))
    if item.warnings:
        detail = ngettext(
            "%(outcome)s on %(date)s, with %(count)s warning to read",
            "%(outcome)s on %(date)s, with %(count)s warnings to read",
            len(item.warnings),
        ) % {"outcome": outcome, "date": when, "count": len(item.warnings)}
    else:
        detail = gettext("%(outcome)s on %(date)s") % {"outcome": outcome, "date": when}
    return HomeItem(
        gettext("%(file)s (%(framework)s)")
        % {"file": item.file_name, "framework": item.version.framework.title},
        reverse("framework-version", args=[item.version_id]),
        detail=detail,
        tone="warning" if item.warnings else "info",
    )
