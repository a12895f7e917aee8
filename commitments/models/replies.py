"""The platform's right of reply: when and how staff asked a platform about one of its
pledges, and its answer (a follow-up of kind "Platform's reply", with its source). The
pledge's page shows the clock: asked on a day, no answer after so many days, or the
answer and how long it took."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from commitments.dates import date_range_constraint, date_range_validators
from commitments.models.evidence import FollowUp
from commitments.models.fields import staff_user_field


class ReplyRequestQuerySet(models.QuerySet):
    def unanswered(self):
        """No answer the public may see: none yet, or one still a draft rating."""
        # EXISTS for each request's own answer, not `answer IN (every draft)`: SQLite,
        # without statistics, read all follow-ups for that list and drove the query
        # from it, where the few requests of a page's pledges were wanted (a platform's
        # page at a million pledges: 2 × 110 ms).
        draft = FollowUp.objects.drafts().filter(pk=OuterRef("answer_id"))
        return self.filter(Q(answer__isnull=True) | Exists(draft))


class ReplyRequest(models.Model):
    commitment = models.ForeignKey(
        "Commitment", on_delete=models.CASCADE, related_name="reply_requests"
    )
    asked_on = models.DateField(validators=date_range_validators())
    how = models.CharField(
        "how it was asked",
        max_length=200,
        help_text="As the public reads it: “by email to its press office”.",
    )
    answer = models.OneToOneField(
        "FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reply_to",
        help_text="The platform's answer: a follow-up of kind Platform's reply on this "
        "pledge, citing its source. Record it first, then choose it here.",
    )
    asked_by = staff_user_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReplyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_on", "-id"]
        verbose_name = "request for the platform's reply"
        constraints = [date_range_constraint("replyrequest", "asked_on")]

    def __str__(self):
        return f"Asked on {self.asked_on:%d %B %Y}"

    def clean(self):
        problems = {}
        if self.asked_on and self.asked_on > timezone.localdate():
            problems["asked_on"] = "A request cannot be dated in the future."
        answer = self.answer
        if answer is not None:
            if answer.kind != answer.Kind.REPLY:
                problems["answer"] = "Choose a follow-up of kind Platform's reply."
            elif answer.commitment_id != self.commitment_id:
                problems["answer"] = "That reply is about another pledge."
            elif self.asked_on and answer.happened_on < self.asked_on:
                problems["answer"] = "That reply is dated before the platform was asked."
        if problems:
            raise ValidationError(problems)

    @property
    def public_answer(self):
        """The answer as the public may see it: none while it is a draft rating."""
        answer = self.answer
        return answer if answer is not None and not answer.is_draft else None

    def days_waiting(self, today: datetime.date | None = None) -> int:
        """Days from asking to the public answer, or to `today` while there is none."""
        answer = self.public_answer
        until = answer.happened_on if answer else (today or timezone.localdate())
        return max((until - self.asked_on).days, 0)
