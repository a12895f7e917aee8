"""Building blocks shared by the records: web address fields and stable slugs."""

from django.db import models
from django.utils.text import slugify

from commitments.web_addresses import validate_http_url


def unique_slug(model, text: str, max_length: int = 80) -> str:
    """A readable slug from `text`, suffixed -2, -3… until no row of `model` has it."""
    base = slugify(text)[:max_length].strip("-") or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


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

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.slug_source())
        super().save(*args, **kwargs)

    def slug_source(self) -> str:
        return self.name
