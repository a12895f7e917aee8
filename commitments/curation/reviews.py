"""Recording and deleting the tracker's reviews of a pledge (commitments/models/reviews.py).

A review is not evidence: it moves no status. It resets the follow-up clock, so each of
these ends by refreshing the due dates (and the date of the last review) of the
commitments it touched.
"""

from collections.abc import Iterable

from django.db import transaction

from commitments.models import Review
from commitments.refresh import DUE_DATES, commitments_refresh
from commitments.staff import REVIEWERS


def review_record(*, review: Review, user) -> Review:
    """Save a new review (an unsaved Review) by staff member `user`, shown publicly by
    role only."""
    with transaction.atomic():
        review.reviewed_by = user
        review.role = role_of(user)
        review.save()
        commitments_refresh(commitments=[review.commitment_id], values={DUE_DATES}, user=user)
    return review


def reviews_delete(*, reviews: Iterable[Review], user=None) -> int:
    reviews = list(reviews)
    with transaction.atomic():
        for review in reviews:
            if user is not None:
                review._history_user = user
            review.delete()
        commitments_refresh(
            commitments={r.commitment_id for r in reviews}, values={DUE_DATES}, user=user
        )
    return len(reviews)


def role_of(user) -> str:
    if user is not None and user.groups.filter(name=REVIEWERS).exists():
        return Review.Role.REVIEWER
    return Review.Role.EDITOR
