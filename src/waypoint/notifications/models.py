"""Notifications: one row per recipient of an event about a student, and each person's choice of how each kind
of event reaches them.

A row stores the kind's code and the parameters of the event, never its text: the text is rendered when the
row is shown or e-mailed, in the reader's language (see `registry.py`). Every row carries the district of the
student it is about (the tenant key)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waypoint.core.models import Organization, Student, User


class Delivery(models.TextChoices):
    """How a kind of notification reaches a person. Every notification is shown in Waypoint; the choice is
    about e-mail."""

    IN_APP = "in_app", _("In Waypoint only")
    IMMEDIATE = "immediate", _("In Waypoint, and by e-mail at once")
    DIGEST = "digest", _("In Waypoint, and in one e-mail a day")


class Notification(models.Model):
    """One event about a student, for one reader. `delivery` is the reader's choice when it was created;
    `emailed_at` is set once it went out by e-mail (at once or in a digest)."""

    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.DIGEST)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["delivery", "recipient"],
                name="notification_unsent_idx",
                condition=Q(emailed_at__isnull=True),
            ),
        ]
        constraints = [
            # Only a URL path of this site: a stored link can never send a reader elsewhere.
            models.CheckConstraint(
                name="notification_url_is_local", condition=Q(url="") | Q(url__startswith="/")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} about {self.student_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; without a row, the kind's default applies."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=64)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} → {self.delivery}"
