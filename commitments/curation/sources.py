"""Recording a source where it is cited: staff type a new source's address and title into
a citation row of the admin instead of opening the source's own page first. (Its history
row names the user through simple-history's request middleware, as the admin's own saves
do.)"""

from commitments.models import Source


def source_record(*, source: Source) -> Source:
    """Save a new source (unsaved, validated by its form), or return the one already
    recorded at its address: two rows of one page may type the same new address, and
    a source is one per address."""
    existing = Source.objects.filter(url=source.url).first()
    if existing is not None:
        return existing
    source.save()
    return source
