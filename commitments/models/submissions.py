"""What the public sends: a correction or new evidence about a pledge (or about the tracker
in general), kept in a staff queue. Nothing here is ever shown publicly: staff accept a
submission into a follow-up (which cites its source and is rated as any other) or reject
it with a reason (commitments/curation/submissions.py)."""

from django.db import models
from django.db.models import Q

from commitments.models.fields import WebAddressField, staff_user_field

MAX_TEXT = 4000


class SubmissionQuerySet(models.QuerySet):
    def new(self):
        return self.filter(state=Submission.State.NEW)


class Submission(models.Model):
    class State(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted into a follow-up"
        REJECTED = "rejected", "Rejected"

    commitment = models.ForeignKey(
        "Commitment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="submissions",
        help_text="Empty for a general correction or a pledge the tracker lacks.",
    )
    what_is_wrong = models.TextField("what is wrong, or what is new", max_length=MAX_TEXT)
    source_url = WebAddressField("a public source that shows it", max_length=2000)
    email = models.EmailField(
        blank=True, help_text="The sender's, if given: staff only, to ask or to answer."
    )
    # Who sent it, for the throttle only: a keyed hash of the client's address, never the
    # address itself.
    client_key = models.CharField(max_length=64, editable=False, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    follow_up = models.ForeignKey(
        "FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The follow-up it was accepted into.",
    )
    rejection_reason = models.CharField(max_length=500, blank=True)
    decided_by = staff_user_field()
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "public submission"
        indexes = [models.Index(fields=["state", "-created_at"], name="submission_queue")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="accepted") | Q(follow_up__isnull=False),
                name="submission_accepted_into_a_follow_up",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="submission_rejected_with_a_reason",
            ),
        ]

    def __str__(self):
        about = self.commitment.title if self.commitment_id else "the tracker in general"
        return f"Submission about {about}, {self.created_at:%d %B %Y}"
