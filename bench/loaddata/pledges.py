"""One commitment and what hangs off it: its follow-ups, its citations and their sources.

bulk_create skips save(), so the slug is worked out here, by the rule of
Commitment.save(); the status and the latest follow-up date are set per batch by the
same refresh as everywhere else (commitments/refresh.py, called in world.Batch.write).
"""

import datetime

from django.utils import timezone
from django.utils.text import slugify

from bench.loaddata import words
from bench.loaddata.world import (
    LAST_DAY,
    Batch,
    Weighted,
    World,
    partial_date,
    random_day,
)
from commitments.dates import DatePrecision
from commitments.models import Citation, Commitment, FollowUp, Source, Status

PUBLISHED_SHARE = 0.6
# Some drafts have no source yet, as in real curation (and for the "unsourced" flag).
UNSOURCED_DRAFT_SHARE = 0.1
# Share of citations given a source of their own; the rest reuse one cited about the same
# platform in the batch. Tuned to about 1.5 sources per commitment.
NEW_SOURCE_SHARE = 0.62
STATUS_NAMED_SHARE = 0.65
AGE_BANDS = [(None, 12), (13, 15), (13, 17), (None, 17), (16, 17)]

KINDS = Weighted(
    {
        "membership": 12,
        "endorsement": 8,
        "signatory": 8,
        "product_change": 25,
        "age_restriction": 12,
        "policy": 15,
        "reporting": 10,
        "funding": 5,
        "other": 5,
    }
)
INITIATIVE_KINDS = {"membership", "endorsement", "signatory"}
AGE_KINDS = {"age_restriction", "product_change"}
# About half of the pledges have no follow-up at all.
FOLLOW_UP_COUNTS = Weighted({0: 50, 1: 20, 2: 18, 3: 12})
COMMITMENT_CITATIONS = Weighted({1: 55, 2: 30, 3: 15})
FOLLOW_UP_CITATIONS = Weighted({0: 25, 1: 55, 2: 20})
SOURCE_KINDS = Weighted({"platform": 35, "news": 35, "government": 10, "ngo": 12, "academic": 8})
# Where a follow-up that names a status moves it, from each status; status can go back.
NEXT_STATUS = {
    Status.ANNOUNCED: Weighted({Status.IN_PROGRESS: 5, Status.DELIVERED: 3, Status.STALLED: 1}),
    Status.IN_PROGRESS: Weighted({Status.DELIVERED: 5, Status.STALLED: 2, Status.LAPSED: 1}),
    Status.DELIVERED: Weighted(
        {Status.VERIFIED: 3, Status.IN_PROGRESS: 1, Status.WITHDRAWN: 1, Status.LAPSED: 1}
    ),
    Status.VERIFIED: Weighted({Status.DELIVERED: 1, Status.WITHDRAWN: 1}),
    Status.STALLED: Weighted({Status.IN_PROGRESS: 3, Status.LAPSED: 2, Status.WITHDRAWN: 1}),
    Status.LAPSED: Weighted({Status.IN_PROGRESS: 1}),
    Status.WITHDRAWN: Weighted({Status.IN_PROGRESS: 1}),
}
# The kinds of evidence that plausibly move a pledge to each status ("": no move).
FOLLOW_UP_KINDS = {
    Status.IN_PROGRESS: ["progress_report", "reply", "statement"],
    Status.DELIVERED: ["statement", "progress_report", "transparency_report"],
    Status.VERIFIED: ["independent_test", "regulator_finding"],
    Status.STALLED: ["reply", "regulator_finding", "independent_test"],
    Status.LAPSED: ["regulator_finding", "other"],
    Status.WITHDRAWN: ["reversal", "statement"],
    "": ["transparency_report", "reply", "statement", "independent_test", "other"],
}


def add_commitment(world: World, batch: Batch) -> None:
    rng = world.rng
    cid = world.take_id(Commitment)
    platform = rng.choices(world.platforms, cum_weights=world.platform_weights)[0]
    kind = KINDS.pick(rng)
    initiative_id, initiative_name = pick_initiative(world, kind)
    low, high = rng.choice(AGE_BANDS)
    phrase = words.pledge_phrase(rng, kind, initiative_name, low or 0, high)
    announced, announced_precision = partial_date(rng, random_day(rng))
    effective, effective_precision = effective_date(world, kind, announced)
    worldwide = rng.random() < 0.7
    countries = ""
    if not worldwide:
        countries = ", ".join(sorted(rng.sample(words.COUNTRIES, rng.randint(1, 3))))
    follow_ups = make_follow_ups(world, cid, platform.name, announced)
    published = rng.random() < PUBLISHED_SHARE
    commitment = Commitment(
        id=cid,
        platform=platform,
        initiative_id=initiative_id,
        kind=kind,
        title=f"{words.MARKER} {cid}: {phrase}",
        summary=words.pledge_summary(rng, platform.name, phrase, countries or "worldwide"),
        announced_on=announced,
        announced_precision=announced_precision,
        effective_on=effective,
        effective_precision=effective_precision,
        deadline=deadline(world, announced),
        products=rng.choice(words.PRODUCTS),
        worldwide=worldwide,
        countries=countries,
        age_min=low if kind in AGE_KINDS else None,
        age_max=high if kind in AGE_KINDS else None,
        default_setting=rng.choice(Commitment.Default.values) if kind == "product_change" else "",
        cadence=rng.choice(Commitment.Cadence.values) if kind == "reporting" else "",
        owner_id=rng.choice(world.owners) if rng.random() < 0.7 else None,
        confidence=Commitment.Confidence.VERIFIED
        if published and rng.random() < 0.3
        else Commitment.Confidence.UNVERIFIED,
        published=published,
    )
    # Commitment.save()'s rule, without its query for a free suffix: the id in the title
    # already makes the slug unique.
    commitment.slug = slugify(commitment.slug_source())[:80].strip("-")
    batch.commitments.append(commitment)
    batch.follow_ups.extend(follow_ups)
    add_commitment_citations(world, batch, commitment, phrase)
    for follow_up in follow_ups:
        add_follow_up_citations(world, batch, follow_up, platform.name)
    add_people(world, batch, cid)


def pick_initiative(world: World, kind: str) -> tuple[int | None, str]:
    share = 0.9 if kind in INITIATIVE_KINDS else 0.15
    if world.rng.random() >= share:
        return None, "initiative"
    return world.rng.choices(world.initiatives, cum_weights=world.initiative_weights)[0]


def effective_date(
    world: World, kind: str, announced: datetime.date
) -> tuple[datetime.date | None, str]:
    """Some product changes, age limits and policies name the day they take effect;
    never before the announcement (a database constraint)."""
    if kind not in ("product_change", "age_restriction", "policy") or world.rng.random() < 0.5:
        return None, DatePrecision.DAY
    day = announced + datetime.timedelta(days=world.rng.randint(0, 180))
    return partial_date(world.rng, day, earliest=announced)


def deadline(world: World, announced: datetime.date) -> datetime.date | None:
    if world.rng.random() >= 0.15:
        return None
    return announced + datetime.timedelta(days=world.rng.randint(180, 1500))


def add_people(world: World, batch: Batch, cid: int) -> None:
    """People quoted or named, for a tenth of the pledges."""
    if world.rng.random() >= 0.1:
        return
    for person_id in world.rng.sample(world.people, world.rng.randint(1, 2)):
        batch.people_links.append(Commitment.people.through(commitment_id=cid, person_id=person_id))


# Follow-ups ------------------------------------------------------------------------------


def make_follow_ups(
    world: World, cid: int, platform_name: str, announced: datetime.date
) -> list[FollowUp]:
    """0–3 pieces of evidence, each later than the last, moving the status along
    NEXT_STATUS; none after LAST_DAY."""
    rng = world.rng
    rows = []
    status = Status.ANNOUNCED
    previous = announced
    for _ in range(FOLLOW_UP_COUNTS.pick(rng)):
        day = previous + datetime.timedelta(days=rng.randint(30, 700))
        if day > LAST_DAY:
            break
        happened, precision = partial_date(rng, day, earliest=previous)
        status_after = ""
        if rng.random() < STATUS_NAMED_SHARE:
            status_after = status = NEXT_STATUS[status].pick(rng)
        kind = rng.choice(FOLLOW_UP_KINDS[status_after])
        tested = kind == "independent_test"
        rows.append(
            FollowUp(
                id=world.take_id(FollowUp),
                commitment_id=cid,
                happened_on=happened,
                happened_precision=precision,
                kind=kind,
                summary=words.follow_up_summary(platform_name, kind),
                status_after=status_after,
                tested_by=rng.choice(words.TESTERS) if tested else "",
                test_account_age=rng.randint(13, 17) if tested else None,
                test_country=rng.choice(words.COUNTRIES) if tested else "",
                app_version=f"{rng.randint(20, 40)}.{rng.randint(0, 9)}" if tested else "",
                # Generated like an import: its ratings are approved, so public.
                approved_at=timezone.now() if status_after else None,
            )
        )
        previous = happened
    return rows


# Sources and citations -------------------------------------------------------------------


def add_commitment_citations(
    world: World, batch: Batch, commitment: Commitment, phrase: str
) -> None:
    """Where the pledge was made. A published pledge always has one (the publish rule)."""
    if not commitment.published and world.rng.random() < UNSOURCED_DRAFT_SHARE:
        return
    name = commitment.platform.name
    headline = f"{name} {phrase[0].lower()}{phrase[1:]}"
    record = {"commitment_id": commitment.id}
    cited = set()
    for _ in range(COMMITMENT_CITATIONS.pick(world.rng)):
        cite(world, batch, record, name, headline, commitment.announced_on, cited)


def add_follow_up_citations(
    world: World, batch: Batch, follow_up: FollowUp, platform_name: str
) -> None:
    """The proof of what happened."""
    headline = f"{platform_name}: {follow_up.get_kind_display().lower()}"
    record = {"follow_up_id": follow_up.id}
    cited = set()
    for _ in range(FOLLOW_UP_CITATIONS.pick(world.rng)):
        cite(world, batch, record, platform_name, headline, follow_up.happened_on, cited)


def cite(
    world: World,
    batch: Batch,
    record: dict,
    about: str,
    headline: str,
    on_date: datetime.date,
    cited: set,
) -> None:
    """One citation of `record` ({"commitment_id": 1}, or a follow-up or an initiative):
    of a new source, or of a recent one about the same platform (`about`) that this
    record does not cite yet."""
    rng = world.rng
    recent = batch.pool.get(about, [])[-5:]
    source_id = rng.choice(recent) if recent and rng.random() >= NEW_SOURCE_SHARE else None
    if source_id is None or source_id in cited:
        source_id = add_source(world, batch, about, headline, on_date)
    cited.add(source_id)
    quoted = rng.random() < 0.2
    batch.citations.append(
        Citation(
            id=world.take_id(Citation),
            source_id=source_id,
            quote=f"We are committed to keeping young people safe on {about}." if quoted else "",
            person_id=rng.choice(world.people) if quoted and rng.random() < 0.6 else None,
            **record,
        )
    )


def add_source(world: World, batch: Batch, about: str, headline: str, on_date) -> int:
    rng = world.rng
    sid = world.take_id(Source)
    kind = SOURCE_KINDS.pick(rng)
    publisher, host = words.source_publisher(rng, kind, about)
    published, precision = partial_date(rng, on_date)
    archived = rng.random() < 0.25
    batch.sources.append(
        Source(
            id=sid,
            # Already in normal form (lower-case host, a path, no fragment), since
            # bulk_create skips Source.save(), which normalises.
            url=f"https://{host}/{on_date.year}/{sid}",
            title=f"{headline} ({words.MARKER} source {sid})"[:300],
            publisher=publisher,
            published_on=published,
            published_precision=precision,
            kind=kind,
            archived_url=f"https://archive.{words.MARKER.lower()}.example/{sid}"
            if archived
            else "",
            sensitive=rng.random() < 0.02,
        )
    )
    batch.pool.setdefault(about, []).append(sid)
    return sid
