"""Background work: one `TaskRun` per piece of work started (by a person or by the schedule), the heartbeat
of every worker process, and the claim of each scheduled job's due time."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from waypoint.core.models import Organization, User


class TaskRun(models.Model):
    """One piece of background work as the person who started it follows it: what it is, how far it has
    come, how it ended and where its result is. The queue's own row (`django_tasks_db.DBTaskResult`,
    `result_id`) says which worker claimed it; this row is what pages and the API read."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Every run that can concern students carries its district (the tenant key); system jobs have none.
    district = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="task_runs"
    )
    # Nobody when the schedule started it.
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=64, help_text="What the work is, in the domain's words.")
    work = models.CharField(max_length=200, help_text="The dotted path of the function that does the work.")
    arguments = models.JSONField(default=dict, blank=True)
    result_id = models.UUIDField(null=True, blank=True, unique=True, help_text="The queue's result id.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    # Safe to run again from the start when its worker died (the work is idempotent or all-or-nothing).
    retry_safe = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=64, blank=True, help_text="The worker that holds or held it.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["started_by", "-created_at"], name="operations_run_starter_idx"),
            models.Index(fields=["district", "-created_at"], name="operations_run_district_idx"),
            # The reaper's question: which runs hold a worker.
            models.Index(
                fields=["worker"], name="operations_run_running_idx", condition=models.Q(status="running")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="operations_run_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def title(self) -> str:
        """What the work is, in the reader's language: the title its app declared (`work.background`), or its
        kind when that code is gone."""
        try:
            return str(import_string(self.work).title)
        except (ImportError, AttributeError):
            return self.kind

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int | None:
        """How far the work has come, when it has said how much there is."""
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class WorkerHeartbeat(models.Model):
    """A worker process saying it is alive, every few seconds. A run held by a worker whose heartbeat stopped
    is failed (or queued again) by the reaper of any other worker."""

    name = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.name} on {self.host} (pid {self.pid})"


class ScheduledRun(models.Model):
    """A scheduled job's claim on one due time: the unique row makes the job run once per due time however
    many workers look at the schedule."""

    job = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    run = models.ForeignKey(TaskRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "due_at"], name="operations_job_once_per_due")]

    def __str__(self) -> str:
        return f"{self.job} due {self.due_at:%Y-%m-%d %H:%M}"
