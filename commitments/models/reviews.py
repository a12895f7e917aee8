"""The tracker's own reviews of a pledge: when it looked again for evidence, where, and
what it found. Not evidence: a review never moves a status and never counts as follow-up
evidence; it only resets the follow-up clock (commitments/refresh.py)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commitments.dates import date_range_constraint, date_range_validators
from commitments.models.fields import staff_user_field

NO_NEW_EVIDENCE = "no new evidence found"


class Review(models.Model):
    class Role(models.TextChoices):
        """Who reviewed, as the public reads it: by role, never by name."""

        EDITOR = "editor", "an Editor"
        REVIEWER = "reviewer", "a Reviewer"

    commitment = models.ForeignKey("Commitment", on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(validators=date_range_validators())
    searched = models.CharField(
        "places searched",
        max_length=300,
        help_text="Where the tracker looked, as the public reads it: "
        "“the platform's newsroom and transparency centre”.",
    )
    found = models.CharField(
        "what it found",
        max_length=300,
        default=NO_NEW_EVIDENCE,
        help_text="In a few words. New evidence is recorded as a follow-up, with its source.",
    )
    role = models.CharField(max_length=10, choices=Role.choices, editable=False)
    reviewed_by = staff_user_field()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [models.Index(fields=["commitment", "-reviewed_on"], name="review_newest")]
        constraints = [date_range_constraint("review", "reviewed_on")]

    def __str__(self):
        return f"Reviewed {self.reviewed_on:%d %B %Y}"

    def clean(self):
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            raise ValidationError({"reviewed_on": "A review cannot be dated in the future."})
