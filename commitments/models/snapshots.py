"""The kept text of a source: one row per version of its readable text.

Written by `snapshot_sources` (commitments/followup/snapshots.py) only. A version is kept
when the text differs from the source's newest version (by SHA-256 of the normalised
text); a fetch that finds the same text moves `last_seen_at` on. A text that comes back
after a change is a new version, so the rows read in order are the page's history.
Never the page's markup, images or media: text only (DESIGN.md, safeguarding).
"""

from django.db import models
from django.db.models import OuterRef, Q, Subquery

from commitments.models.records import Source


class SourceSnapshotQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-first_seen_at", "-id")

    def latest_per_source(self):
        """Each source's newest version."""
        newest = (
            SourceSnapshot.objects.filter(source=OuterRef("source")).newest_first().values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest))


class SourceSnapshot(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    text = models.TextField(help_text="The page's readable text, normalised.")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Of the normalised text.")
    content_type = models.CharField(max_length=100)
    # Where the text was read, after redirects.
    fetched_url = models.URLField("read at", max_length=2000)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    objects = SourceSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["source", "first_seen_at", "id"]
        verbose_name = "kept text of a source"
        verbose_name_plural = "kept texts of sources"
        indexes = [
            models.Index(fields=["source", "-first_seen_at"], name="snapshot_newest_per_source")
        ]

    def __str__(self):
        return f"{self.source} as first seen {self.first_seen_at:%Y-%m-%d %H:%M}"

    def previous(self) -> "SourceSnapshot | None":
        earlier = Q(first_seen_at__lt=self.first_seen_at) | Q(
            first_seen_at=self.first_seen_at, id__lt=self.id
        )
        return (
            SourceSnapshot.objects.filter(earlier, source_id=self.source_id).newest_first().first()
        )
