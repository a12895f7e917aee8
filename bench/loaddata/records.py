"""The rows made once per run, before the commitments: owners, platforms, initiatives
(with a citation of their founding document) and people."""

import datetime
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from bench.loaddata import words
from bench.loaddata.pledges import cite
from bench.loaddata.world import Batch, World, partial_date, random_day
from commitments.models import Initiative, Person, Platform

OWNERS = 10
INITIATIVES = 50


def make_owners() -> list[int]:
    """Staff who own pledges, so that reminder digests have recipients. Reused by a
    later run; they have no usable password, so nobody can log in as them."""
    User = get_user_model()
    ids = []
    for n in range(1, OWNERS + 1):
        username = f"{words.MARKER.lower()}-owner-{n:02d}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.invalid", "is_staff": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        ids.append(user.pk)
    return ids


def make_platforms(world: World, count: int) -> int:
    """Platforms, about a quarter of them belonging to one of a few parent groups."""
    rng = world.rng
    groups = max(3, count // 10)
    rows = []
    for n in range(count):
        pid = world.take_id(Platform)
        name = f"{words.MARKER} Platform {pid:04d}"
        kind = rng.choice(list(words.CATEGORIES))
        parent = rows[rng.randrange(groups)].id if n >= groups and rng.random() < 0.3 else None
        rows.append(
            Platform(
                id=pid,
                name=name,
                slug=slugify(name),
                parent_id=parent,
                kind=kind,
                operator=f"{words.MARKER} Company {pid:04d}",
                category=words.CATEGORIES[kind],
                website=f"https://www.{words.slug_host(name)}.example/",
                description=f"A synthetic {words.CATEGORIES[kind]} made for load tests.",
            )
        )
    Platform.objects.bulk_create(rows)
    world.platforms = rows
    # Zipf-like, as in life: the first few platforms make most of the pledges.
    world.platform_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(count)))
    return count


def make_initiatives(world: World, batch: Batch) -> int:
    rng = world.rng
    kinds = [k for k in Initiative.Kind.values if k != Initiative.Kind.OTHER]
    rows = []
    for _ in range(INITIATIVES):
        iid = world.take_id(Initiative)
        kind = rng.choice(kinds)
        name = words.initiative_name(rng, iid, kind)
        founded, precision = partial_date(rng, random_day(rng, datetime.date(2005, 1, 1)))
        rows.append(
            Initiative(
                id=iid,
                name=name,
                slug=slugify(name)[:80].strip("-"),
                kind=kind,
                convener=f"{words.MARKER} Convener {iid:03d}",
                url=f"https://www.{words.MARKER.lower()}-initiative-{iid:03d}.example/",
                founded_on=founded,
                founded_precision=precision,
                description=f"A synthetic {Initiative.Kind(kind).label.lower()}.",
            )
        )
        # Its founding document, written with the batch after the initiatives.
        about = f"{words.MARKER} Initiative {iid:03d}"
        cite(world, batch, {"initiative_id": iid}, about, name, founded, set())
    Initiative.objects.bulk_create(rows)
    world.initiatives = [(i.id, i.name.split(": ", 1)[1]) for i in rows]
    world.initiative_weights = list(accumulate(1 / (rank + 1) for rank in range(len(rows))))
    return len(rows)


def make_people(world: World, count: int) -> int:
    rows = []
    for _ in range(count):
        person_id = world.take_id(Person)
        rows.append(
            Person(
                id=person_id,
                name=words.person_name(person_id),
                role=world.rng.choice(words.JOBS),
                organisation=f"{words.MARKER} Organisation {person_id % 97:02d}",
            )
        )
    Person.objects.bulk_create(rows)
    world.people = [p.id for p in rows]
    return count
