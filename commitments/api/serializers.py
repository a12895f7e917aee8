"""What the read-only API shows of each record. Only public fields: no owners, no drafts,
no quote or archive link of a source marked sensitive (DESIGN.md, safeguarding). A
pledge's core fields are those of commitments/public/fields.py, as in the downloads.

Dates known only to the month or year come out as partial ISO dates ("2020", "2020-03"),
as in the exports and the exchange format. Kinds and statuses are the codes the filters
take. The viewsets in commitments/api/views.py prefetch everything nested here, so a page costs
the same few queries however many rows it holds.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments.dates import iso_partial_date
from commitments.models import Citation, Commitment, FollowUp, Initiative, Platform, Status
from commitments.public.fields import PLEDGE_FIELD_NAMES

PARTIAL_DATE_SCHEMA = {
    "type": "string",
    "nullable": True,
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "description": "A date as precisely as it is known: YYYY, YYYY-MM or YYYY-MM-DD.",
    "example": "2020-06",
}


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class PartialDateField(serializers.Field):
    """A stored date and its precision: two attributes of the record, or of `source`."""

    def __init__(self, date_attr: str, precision_attr: str, source: str = "*", **kwargs):
        self.date_attr, self.precision_attr = date_attr, precision_attr
        super().__init__(source=source, read_only=True, **kwargs)

    def to_representation(self, record):
        return iso_partial_date(
            getattr(record, self.date_attr), getattr(record, self.precision_attr)
        )


@extend_schema_field(OpenApiTypes.URI)
class PageLinkField(serializers.Field):
    """The absolute address of a record's page on the public site, for people."""

    def __init__(self, view_name: str, **kwargs):
        self.view_name = view_name
        super().__init__(source="slug", read_only=True, **kwargs)

    def to_representation(self, slug):
        return self.context["request"].build_absolute_uri(reverse(self.view_name, args=[slug]))


class OptionalURLField(serializers.URLField):
    """A web address a record may lack: null then, as everywhere in the API (a source's
    archived_url too), rather than an empty string that is no URI."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionalChoiceField(serializers.ChoiceField):
    """A choice a record may lack (a pledge's cadence, a platform's kind): null then, as
    the API's other missing values, rather than an empty string that is no choice."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class CitationSerializer(serializers.ModelSerializer):
    """A source as cited for a pledge or a follow-up."""

    url = serializers.URLField(source="source.url")
    title = serializers.CharField(source="source.title")
    publisher = serializers.CharField(source="source.publisher")
    published_on = PartialDateField("published_on", "published_precision", source="source")
    archived_url = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["url", "title", "publisher", "published_on", "archived_url", "quote"]

    def get_archived_url(self, citation) -> str | None:
        source = citation.source
        return None if source.sensitive else source.archived_url or None

    def get_quote(self, citation) -> str | None:
        return None if citation.source.sensitive else citation.quote or None


class FollowUpSerializer(serializers.ModelSerializer):
    happened_on = PartialDateField("happened_on", "happened_precision")
    status_after = serializers.SerializerMethodField(
        help_text="The status this evidence moved the pledge to, or null."
    )
    sources = CitationSerializer(source="citations", many=True, read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "happened_on",
            "kind",
            "summary",
            "status_after",
            "tested_by",
            "test_account_age",
            "test_country",
            "app_version",
            "sources",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_status_after(self, follow_up) -> str | None:
        return follow_up.status_after or None


class NamedLinkSerializer(serializers.Serializer):
    """A platform or initiative as mentioned by a pledge: enough to follow it."""

    slug = serializers.SlugField()
    name = serializers.CharField()


class CommitmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:commitment-detail", lookup_field="slug"
    )
    html_url = PageLinkField("commitments:detail")
    platform = NamedLinkSerializer()
    initiative = NamedLinkSerializer(allow_null=True)
    announced_on = PartialDateField("announced_on", "announced_precision")
    effective_on = PartialDateField("effective_on", "effective_precision")
    latest_follow_up_on = PartialDateField("latest_follow_up_on", "latest_follow_up_precision")
    lacks_follow_up = serializers.BooleanField(read_only=True)
    follow_up_overdue = serializers.BooleanField(read_only=True)
    default_setting = OptionalChoiceField(
        Commitment.Default.choices,
        help_text="For a product change: how the protection is switched on, or null.",
    )
    cadence = OptionalChoiceField(
        Commitment.Cadence.choices, help_text="For a recurring pledge: how often, or null."
    )
    sources = CitationSerializer(source="citations", many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "url",
            "html_url",
            "slug",
            "platform",
            "initiative",
            *PLEDGE_FIELD_NAMES,
            "products",
            "worldwide",
            "countries",
            "age_min",
            "age_max",
            "default_setting",
            "cadence",
            "updated_at",
            "sources",
            "follow_ups",
        ]


class PlatformSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:platform-detail", lookup_field="slug")
    html_url = PageLinkField("commitments:platform")
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The slug of the platform this one belongs to (Instagram's is meta), or null.",
    )
    kind = OptionalChoiceField(Platform.Kind.choices, help_text="What it is, or null.")
    website = OptionalURLField()
    pledges = serializers.IntegerField(
        read_only=True,
        help_text="Published pledges of this platform and its children, as "
        "/api/commitments/?platform=<slug> lists them.",
    )
    followed_up = serializers.IntegerField(
        read_only=True, help_text="How many of those have follow-up evidence."
    )

    class Meta:
        model = Platform
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "parent",
            "kind",
            "operator",
            "category",
            "website",
            "description",
            "pledges",
            "followed_up",
        ]


class InitiativeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:initiative-detail", lookup_field="slug"
    )
    html_url = PageLinkField("commitments:initiative")
    # `url` is this record's address in the API, as everywhere; the initiative's own
    # site is its website.
    website = OptionalURLField(source="url")
    launched_on = PartialDateField("founded_on", "founded_precision")
    pledges = serializers.IntegerField(
        read_only=True,
        help_text="Published pledges made to this initiative, as "
        "/api/commitments/?initiative=<slug> lists them.",
    )
    followed_up = serializers.IntegerField(
        read_only=True, help_text="How many of those have follow-up evidence."
    )
    sources = CitationSerializer(source="citations", many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "kind",
            "convener",
            "website",
            "launched_on",
            "description",
            "pledges",
            "followed_up",
            "sources",
        ]
