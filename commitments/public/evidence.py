"""The public evidence of pledges, attached to rows already read: their own citations
(where each was promised) and their public follow-ups (no draft rating) with the
citations of each, every citation with its source.

Three queries for any number of pledges, whatever `.all()` then reads from: the
follow-ups, then every citation of the pledges and of those follow-ups at once. Django's
prefetch_related would take four, and builds a filtered queryset per row to hold each
list; at 25 pledges of a page of the API that was 9 ms against 5 ms.
"""

from django.db.models import Model, Q

from commitments.models import Citation, Commitment, FollowUp


def cache_related(instance: Model, name: str, items: list) -> None:
    """Give `instance.<name>.all()` these items, as a prefetch would."""
    model = type(instance)._meta.get_field(name).related_model
    queryset = model._default_manager.none()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def with_public_evidence(pledges: list[Commitment]) -> list[Commitment]:
    """`pledges`, each given `.citations` and `.follow_ups` (in date order), and each
    follow-up its `.citations`, in the order they were cited."""
    ids = [pledge.pk for pledge in pledges]
    follow_ups = list(FollowUp.objects.public().filter(commitment_id__in=ids))
    citations = (
        Citation.objects.select_related("source")
        .filter(Q(commitment_id__in=ids) | Q(follow_up_id__in=[f.pk for f in follow_ups]))
        .order_by("id")
    )
    cited_by_pledge, cited_by_follow_up = {}, {}
    for citation in citations:
        if citation.commitment_id is not None:
            cited_by_pledge.setdefault(citation.commitment_id, []).append(citation)
        else:
            cited_by_follow_up.setdefault(citation.follow_up_id, []).append(citation)
    follow_ups_of = {}
    for follow_up in follow_ups:
        cache_related(follow_up, "citations", cited_by_follow_up.get(follow_up.pk, []))
        follow_ups_of.setdefault(follow_up.commitment_id, []).append(follow_up)
    for pledge in pledges:
        cache_related(pledge, "citations", cited_by_pledge.get(pledge.pk, []))
        cache_related(pledge, "follow_ups", follow_ups_of.get(pledge.pk, []))
    return pledges
