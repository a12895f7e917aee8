"""Keeps what is stored on each pledge for speed in step with what it is made of:

- its search document (CommitmentQuerySet.search): its own title and summary, its
  platform's name and the titles of the sources it cites;
- its follow-up due and flag dates (CommitmentQuerySet.refresh_follow_up_due): its dates,
  status, kind, cadence and interval, and the follow-up rule of its kind.

Signals rather than save() methods, so that deletes cascading from a source or a pledge
are seen too. Bulk writers (generate_load_data) refresh by themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from commitments.models import Citation, Commitment, FollowUpRule, Platform, Source


def _touches(update_fields, *names) -> bool:
    return update_fields is None or bool(set(names) & set(update_fields))


DUE_DATE_FIELDS = [
    "announced_on",
    "effective_on",
    "latest_follow_up_on",
    "status",
    "kind",
    "cadence",
    "follow_up_interval_days",
]


@receiver(post_save, sender=Commitment)
def commitment_saved(sender, instance, raw, update_fields, **kwargs):
    if raw:
        return
    this = Commitment.objects.filter(pk=instance.pk)
    if _touches(update_fields, "title", "summary", "platform"):
        this.refresh_search_documents()
    if _touches(update_fields, *DUE_DATE_FIELDS):
        this.refresh_follow_up_due()


@receiver(post_save, sender=FollowUpRule)
@receiver(post_delete, sender=FollowUpRule)
def rule_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        Commitment.objects.filter(kind=instance.kind).refresh_follow_up_due()


@receiver(post_save, sender=Citation)
@receiver(post_delete, sender=Citation)
def citation_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.commitment_id:
        Commitment.objects.filter(pk=instance.commitment_id).refresh_search_documents()


@receiver(post_save, sender=Source)
def source_saved(sender, instance, raw, update_fields, **kwargs):
    # The link checker saves sources often, naming only its own fields.
    if not raw and _touches(update_fields, "title"):
        Commitment.objects.filter(citations__source=instance).refresh_search_documents()


@receiver(post_save, sender=Platform)
def platform_saved(sender, instance, raw, update_fields, **kwargs):
    if not raw and _touches(update_fields, "name"):
        Commitment.objects.filter(platform=instance).refresh_search_documents()
