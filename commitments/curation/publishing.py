"""Publishing and unpublishing: what the public sees.

The rule, held here and nowhere else: a published commitment has at least one source.
The admin's citation formset and revert form, the publish action and the importer all
ask `publish_check`. Who may publish (Reviewers, `commitments.publish_commitment`) is
the admin's to check; these services do what they are asked.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from commitments.bulk_history import update_with_history
from commitments.models import Citation, Commitment
from commitments.refresh import SEARCH, commitments_refresh

NEEDS_SOURCE = (
    "A published commitment needs at least one source: add a citation with a source, "
    "or untick Published."
)


def publish_check(*, published: bool, has_sources: bool) -> None:
    """Raise a ValidationError (a form error where a form asks) if a commitment would
    be published without a source."""
    if published and not has_sources:
        raise ValidationError(NEEDS_SOURCE, code="needs_source")


def may_be_published(*, has_sources: bool) -> bool:
    try:
        publish_check(published=True, has_sources=has_sources)
    except ValidationError:
        return False
    return True


@dataclass
class Publishing:
    changed: list[Commitment] = field(default_factory=list)
    # Selected for publishing but refused, for want of a source.
    refused: list[Commitment] = field(default_factory=list)


def commitments_publish(*, commitments: QuerySet, user=None) -> Publishing:
    """Publish those of `commitments` that have a source; say which were refused."""
    result = Publishing()
    has_sources = Exists(Citation.objects.filter(commitment=OuterRef("pk")))
    for commitment in commitments.annotate(has_sources=has_sources).select_related("platform"):
        if not may_be_published(has_sources=commitment.has_sources):
            result.refused.append(commitment)
        elif not commitment.published:
            result.changed.append(commitment)
    with transaction.atomic():
        update_with_history(result.changed, user=user, published=True)
        # Only a published pledge has search words (SEARCHABLE): found from now on.
        commitments_refresh(commitments=[c.pk for c in result.changed], values={SEARCH})
    return result


def commitments_unpublish(*, commitments: QuerySet, user=None) -> list[Commitment]:
    """Take `commitments` off the public site; returns those that were published."""
    changed = list(commitments.filter(published=True).select_related("platform"))
    with transaction.atomic():
        update_with_history(changed, user=user, published=False)
        commitments_refresh(commitments=[c.pk for c in changed], values={SEARCH})
    return changed
