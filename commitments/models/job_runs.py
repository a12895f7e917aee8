"""When each scheduled job last ran and last succeeded, for /healthz and the admin."""

from django.db import models


class JobRun(models.Model):
    job = models.CharField(max_length=100, unique=True)
    # /healthz: a job that has never succeeded is late once this is two periods old.
    first_started_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_summary = models.TextField(blank=True, help_text="What the last successful run did.")

    class Meta:
        ordering = ["job"]
        verbose_name = "scheduled job run"

    def __str__(self):
        return self.job
