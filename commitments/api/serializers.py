"""What the read-only API shows of each record. Only public fields: no owners, no drafts,
no quote or archive link of a source marked sensitive (DESIGN.md, safeguarding). A
pledge's core fields are those of commitments/public/fields.py, as in the downloads.

Dates known only to the month or year come out as partial ISO dates ("2020", "2020-03"),
as in the exports and the exchange format. Kinds and statuses are the codes the filters
take. The viewsets in commitments/api/views.py read everything nested here beforehand (as
plain rows, commitments/api/rows.py, or as instances of a day, commitments/public/as_of.py),
so a page costs the same few queries however many rows it holds.

The declared fields say what each record holds: the schema is made from them. A pledge,
its sources and its follow-ups are written out by `to_representation` directly, not by
walking those fields one by one: DRF's walk (copying every field for each request,
then a lookup and a call per field and per row) took 5-7 ms of a page of 25 pledges.
tests/test_api.py checks that each gives exactly what the walk gives.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse as api_reverse

from commitments.addresses import KEY, around_key
from commitments.dates import iso_partial_date
from commitments.models import Citation, Commitment, FollowUp, Initiative, Platform, Status
from commitments.public.fields import PLEDGE_FIELD_NAMES, pledge_values

PARTIAL_DATE_SCHEMA = {
    "type": "string",
    "nullable": True,
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "description": "A date as precisely as it is known: YYYY, YYYY-MM or YYYY-MM-DD.",
    "example": "2020-06",
}


# How DRF writes a date and time (ISO 8601, in the site's time zone), for the fields
# written out by hand.
DATE_AND_TIME = serializers.DateTimeField()


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
        return page_link(self.context, self.view_name, slug)


def page_link(context: dict, view_name: str, slug: str) -> str:
    """A record's page on the public site, absolute (PageLinkField)."""
    return link(context, view_name, slug, api=False)


def identity_link(context: dict, view_name: str, slug: str) -> str:
    """A record's address in the API, as HyperlinkedIdentityField writes it (with the
    format suffix the request was made with: /api/commitments/<slug>.json)."""
    return link(context, view_name, slug, api=True)


def link(context: dict, view_name: str, slug: str, *, api: bool) -> str:
    # Each address reversed once per request (commitments/addresses.py): two reverse()
    # per pledge cost more than the rest of writing out a page.
    made = context.setdefault("links", {})
    if (view_name, api) not in made:
        request = context["request"]
        if api:
            url = api_reverse(
                view_name,
                kwargs={"slug": KEY},
                request=request,
                format=context.get("format"),
            )
        else:
            url = request.build_absolute_uri(reverse(view_name, args=[KEY]))
        made[view_name, api] = around_key(url)
    before, after = made[view_name, api]
    return f"{before}{slug}{after}"


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

    # The methods tell the schema these may be null; citation_values has the rule.
    def get_archived_url(self, citation) -> str | None:
        return citation_values(citation)["archived_url"]

    def get_quote(self, citation) -> str | None:
        return citation_values(citation)["quote"]

    def to_representation(self, citation):
        return citation_values(citation)


def citation_values(citation: Citation) -> dict:
    """CitationSerializer's fields, written out (see the module's docstring)."""
    source = citation.source
    sensitive = source.sensitive
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_on": iso_partial_date(source.published_on, source.published_precision),
        "archived_url": None if sensitive else source.archived_url or None,
        "quote": None if sensitive else citation.quote or None,
    }


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
        return follow_up_values(follow_up)["status_after"]

    def to_representation(self, follow_up):
        return follow_up_values(follow_up)


def follow_up_values(follow_up: FollowUp) -> dict:
    """FollowUpSerializer's fields, written out (see the module's docstring)."""
    return {
        "id": follow_up.id,
        "happened_on": iso_partial_date(follow_up.happened_on, follow_up.happened_precision),
        "kind": follow_up.kind,
        "summary": follow_up.summary,
        "status_after": follow_up.status_after or None,
        "tested_by": follow_up.tested_by,
        "test_account_age": follow_up.test_account_age,
        "test_country": follow_up.test_country,
        "app_version": follow_up.app_version,
        "sources": [citation_values(citation) for citation in follow_up.citations.all()],
    }


class NamedLinkSerializer(serializers.Serializer):
    """A platform or initiative as mentioned by a pledge: enough to follow it."""

    slug = serializers.SlugField()
    name = serializers.CharField()


# A pledge's own columns that the API shows besides the core fields, as stored (the
# rows of commitments/api/rows.py read them).
PLEDGE_API_COLUMNS = [
    "products",
    "worldwide",
    "countries",
    "age_min",
    "age_max",
    "default_setting",
    "cadence",
    "updated_at",
]


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
            *PLEDGE_API_COLUMNS,
            "sources",
            "follow_ups",
        ]

    def to_representation(self, pledge):
        initiative = pledge.initiative
        return {
            "url": identity_link(self.context, "api:commitment-detail", pledge.slug),
            "html_url": page_link(self.context, "commitments:detail", pledge.slug),
            "slug": pledge.slug,
            "platform": {"slug": pledge.platform.slug, "name": pledge.platform.name},
            "initiative": initiative and {"slug": initiative.slug, "name": initiative.name},
            **pledge_values(pledge),
            "products": pledge.products,
            "worldwide": pledge.worldwide,
            "countries": pledge.countries,
            "age_min": pledge.age_min,
            "age_max": pledge.age_max,
            "default_setting": pledge.default_setting or None,
            "cadence": pledge.cadence or None,
            "updated_at": DATE_AND_TIME.to_representation(pledge.updated_at),
            "sources": [citation_values(citation) for citation in pledge.citations.all()],
            "follow_ups": [follow_up_values(follow_up) for follow_up in pledge.follow_ups.all()],
        }


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
        "/api/commitments/?platform=<slug> lists them. Counted for the request, or, where "
        "counting took long, up to five minutes before: the answer's X-Counted-At header "
        "then says when (ISO 8601, UTC).",
    )
    followed_up = serializers.IntegerField(
        read_only=True, help_text="How many of those have follow-up evidence (counted with them)."
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
