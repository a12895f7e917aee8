"""Recording a source where it is cited: staff type a new source's address and title into
a citation row of the admin instead of opening the source's own page first."""

from commitments.models import Source


def source_record(*, source: Source, user=None) -> Source:
    """Save a new source (unsaved, validated by its form), or return the one already
    recorded at its address: two rows of one page may type the same new address, and
    a source is one per address."""
    existing = Source.objects.filter(url=source.url).first()
    if existing is not None:
        return existing
    if user is not None:
        source._history_user = user
    source.save()
    return source
