"""The notification pages: the reader's list (unread first, mark one or all as read) and their preferences.
Each parses input, calls a selector or service, and renders; refusals go to `RefusalMiddleware`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from waypoint.core.errors import Invalid
from waypoint.core.http import page_number
from waypoint.notifications.forms import PreferencesForm
from waypoint.notifications.selectors import notification_page, notification_preferences, unread_count
from waypoint.notifications.services import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)
from waypoint.policy import request_context

PAGE_SIZE = 20


@login_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    page = notification_page(context=context, page=page_number(request), size=PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread_count(context=context) if page.count else 0},
    )


def _local(request: HttpRequest, url: str) -> bool:
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one as read; with `open`, go on to the page it is about, else back to the list's page."""
    notification = notification_mark_read(context=request_context(request), notification_id=notification_id)
    if request.POST.get("open") and notification.url and _local(request, notification.url):
        return HttpResponseRedirect(notification.url)
    page = request.POST.get("page", "")
    return redirect(reverse("notifications") + (f"?page={page}" if page.isdigit() else ""))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_all_read(context=request_context(request))
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked)
        % {"count": marked},
    )
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    context = request_context(request)
    lines = notification_preferences(context=context)
    form = PreferencesForm(request.POST or None, preferences=lines)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_set(context=context, choices=form.choices())
        except Invalid as refusal:
            for problem in refusal.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification-preferences")
    has_email = bool(context.actor and context.actor.email)
    return render(request, "notifications/preferences.html", {"form": form, "has_email": has_email})
