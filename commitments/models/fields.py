"""Building blocks shared by the records: web address fields and stable slugs."""

import itertools
from collections import Counter
from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from commitments.web_addresses import validate_http_url


def slug_candidates(text: str, max_length: int = 80) -> Iterator[str]:
    """A readable slug from `text`, then the same suffixed -2, -3…"""
    base = slugify(text)[:max_length].strip("-") or "item"
    yield base
    for n in itertools.count(2):
        yield f"{base[: max_length - len(str(n)) - 1]}-{n}"


def reserved_slugs(model) -> frozenset[str]:
    """What `model` may never be given as a slug (SluggedModel.reserved_slugs)."""
    return getattr(model, "reserved_slugs", frozenset())


def unique_slug(model, text: str, max_length: int = 80) -> str:
    """The first of `text`'s slug candidates that no row of `model` has or may have."""
    return next(
        slug
        for slug in slug_candidates(text, max_length)
        if slug not in reserved_slugs(model) and not model.objects.filter(slug=slug).exists()
    )


def unique_slugs(model, texts: list[str], max_length: int = 80) -> list[str]:
    """Slugs for new rows of `model`, one per text, as unique_slug() would give them to
    rows saved one after another, but read in a query or two whatever their number."""
    bases = [next(slug_candidates(text, max_length)) for text in texts]
    taken = set(model.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    taken |= reserved_slugs(model)
    # A base taken already, or wanted twice, goes on to numbered slugs, which may be
    # taken too: read those under its prefix.
    counts = Counter(bases)
    clashing = {base[: max_length - 7] for base in bases if base in taken or counts[base] > 1}
    if clashing:
        prefixes = Q()
        for prefix in clashing:
            prefixes |= Q(slug__startswith=prefix)
        taken |= set(model.objects.filter(prefixes).values_list("slug", flat=True))
    slugs = []
    for text in texts:
        slug = next(s for s in slug_candidates(text, max_length) if s not in taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs


class WebAddressField(models.URLField):
    """A URL that must be http or https; forms and imports refuse anything else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("validators", [validate_http_url])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # An address typed without a scheme is taken as https (Django 6's default).
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class SluggedModel(models.Model):
    """Slugs are made once, from the name, and then stay put so that links keep working."""

    slug = models.SlugField(
        max_length=90,
        unique=True,
        blank=True,
        help_text="Part of the public address. Made from the name when left blank; "
        "changing it breaks links people have shared.",
    )

    # Slugs that a public address of the model's own already uses (Platform: "compare"),
    # never given to a row, and refused when typed (the model's clean()).
    reserved_slugs: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.slug_source())
        super().save(*args, **kwargs)

    def slug_source(self) -> str:
        return self.name


def staff_user_field(**kwargs) -> models.ForeignKey:
    """Who on the staff did something (approved, reviewed, asked, decided, resolved): set
    by the service, never typed, kept empty if the user is deleted, never shown publicly."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )
