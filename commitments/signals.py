"""Keeps each pledge's search document (CommitmentQuerySet.search) in step with the texts
it is made of: the pledge's own title and summary, its platform's name and the titles of
the sources it cites. Signals rather than save() methods, so that deletes cascading from
a source or a pledge are seen too. Bulk writers (generate_load_data) refresh by themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from commitments.models import Citation, Commitment, Platform, Source


def _touches(update_fields, *names) -> bool:
    return update_fields is None or bool(set(names) & set(update_fields))


@receiver(post_save, sender=Commitment)
def commitment_saved(sender, instance, raw, update_fields, **kwargs):
    if not raw and _touches(update_fields, "title", "summary", "platform"):
        Commitment.objects.filter(pk=instance.pk).refresh_search_documents()


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
