"""Import the exchange format of data/README.md: initiatives, platforms, commitments.

A file is checked whole first (commitments/exchange/validation.py); only a file with no
problem is written, in one transaction, so that an error while writing rolls all of it
back. Records are matched by name (platforms, initiatives, people), by normalised URL
(sources), by platform, initiative, kind and title (commitments) and, within a
commitment, as the n-th follow-up of its date and kind. Nothing is ever deleted, and the
first spelling of a source or a person in a file wins, so a second import of the same
file changes nothing.

The writing is set-based: what exists is read with one query per kind of record, what is
new or changed is worked out in memory, record by record in the file's order (so ids and
slugs come out as they would one row at a time), and written with bulk inserts and
updates, each with its history rows (commitments/bulk_history.py), then one refresh of
the commitments touched (commitments/refresh.py). A second import that changes nothing
runs the same dozen reads whatever the file's size (up to IN_CHUNK records of a kind).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from commitments.bulk_history import history_write
from commitments.curation.publishing import may_be_published
from commitments.dates import parse_partial_date
from commitments.exchange.schema import initiative_kind, shown
from commitments.exchange.validation import DatasetError, label, problems_of, validate_dataset
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
)
from commitments.models.fields import unique_slugs
from commitments.refresh import commitments_refresh
from commitments.web_addresses import normalise_url

# What the summary counts, in the order it reports them: (singular, plural).
RECORD_NAMES = [
    ("platform", "platforms"),
    ("initiative", "initiatives"),
    ("source", "sources"),
    ("person", "people"),
    ("commitment", "commitments"),
    ("follow-up", "follow-ups"),
    ("citation", "citations"),
]
# Values per IN (…) list of a read; SQLite takes up to 32,766.
IN_CHUNK = 10_000
# Fields the exchange format does not carry, or that the file's check has checked
# already: neither they nor a constraint on them is checked again here. The unique
# constraints are held by the matching itself.
NOT_IN_THE_FORMAT = {
    Commitment: {"status", "age_min", "age_max"},
    FollowUp: {"status_after"},
}


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def record(self, name: str, outcome: str | None) -> None:
        if outcome == "created":
            self.created[name] += 1
        elif outcome == "updated":
            self.updated[name] += 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> list[str]:
        lines = []
        for name, plural in RECORD_NAMES:
            created, updated = self.created[name], self.updated[name]
            if created or updated:
                lines.append(f"{plural}: {created} created, {updated} updated")
        return lines


def dataset_import(
    *,
    data: dict,
    origin: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write a dataset in one transaction; a dry run rolls it back at the end. Raises
    DatasetError, having written nothing, for any problem in the file.

    An import is a Reviewer's act: the ratings in the file are public as imported, and
    every history row it writes says which file (`origin`) they came from."""
    validate_dataset(data)
    report = ImportReport()
    try:
        with transaction.atomic():
            importer = _Import(data, report, reason=import_reason(origin))
            del data  # the importer's alone, so that it can let the parsed file go
            importer.run(progress)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        # Every rule the database holds, and what it can store, is checked before
        # writing; this is a safety net.
        reason = shown(str(error).replace("\n", " "), limit=300)
        raise DatasetError([f"the database refused the import: {reason}"]) from error
    return report


def import_reason(origin: str) -> str:
    """The history rows' change reason (at most 100 characters, simple-history's column):
    the file's name as given, its end kept when it is too long."""
    if not origin:
        return ""
    reason = f"Imported from {origin}"
    return reason if len(reason) <= 100 else f"Imported from …{origin[-84:]}"


def _partial(value) -> tuple:
    return parse_partial_date(value) if value else (None, "day")


def ref(obj):
    """What identifies a row in memory: its id, or the object itself until it has one."""
    return obj.pk if obj.pk is not None else ("new", id(obj))


def rows_where_in(queryset, name: str, values: Iterable) -> list:
    """The rows of `queryset` whose `name` is one of `values`, read IN_CHUNK at a time."""
    values = list(dict.fromkeys(value for value in values if value is not None))
    rows = []
    for start in range(0, len(values), IN_CHUNK):
        rows += queryset.filter(**{f"{name}__in": values[start : start + IN_CHUNK]})
    return rows


@dataclass
class _Writes:
    """One model's rows to insert and to update, in the order the file met them."""

    created: list = field(default_factory=list)
    updated: dict = field(default_factory=dict)  # by pk
    fields: set = field(default_factory=set)


class _Import:
    def __init__(self, data: dict, report: ImportReport, reason: str):
        self.data = data
        self.report = report
        self.reason = reason
        self.writes: dict[type, _Writes] = defaultdict(_Writes)
        self.read_existing()
        # First occurrence wins within one file, so two spellings of one source's
        # title cannot flip it back and forth and a second run stays a no-op.
        self.file_sources: dict[str, Source] = {}
        self.file_people: dict[str, Person] = {}
        self.new_links: list[tuple[Commitment, Person]] = []
        self.file_commitments: list[Commitment] = []
        self.new_commitments: list[Commitment] = []
        self.retitled: list[Source] = []
        self.now = timezone.now()

    # Reading what exists ---------------------------------------------------------------

    def read_existing(self) -> None:
        data = self.data
        platform_names = {p["name"] for p in data.get("platforms", [])}
        platform_names |= {p.get("parent") for p in data.get("platforms", [])}
        platform_names |= {c["platform"] for c in data.get("commitments", [])}
        self.platforms = {
            p.name: p for p in rows_where_in(Platform.objects.all(), "name", platform_names)
        }
        initiative_names = {i["name"] for i in data.get("initiatives", [])}
        initiative_names |= {c.get("initiative") for c in data.get("commitments", [])}
        self.initiatives = {
            i.name: i for i in rows_where_in(Initiative.objects.all(), "name", initiative_names)
        }
        urls = [normalise_url(s["url"]) for s in self.all_sources()]
        self.sources = {s.url: s for s in rows_where_in(Source.objects.all(), "url", urls)}
        names = [p["name"] for c in data.get("commitments", []) for p in c.get("people", [])]
        self.people = {p.name: p for p in rows_where_in(Person.objects.all(), "name", names)}
        titles = [c["title"] for c in data.get("commitments", [])]
        self.commitments = {
            self.commitment_key(c.platform_id, c.initiative_id, c.kind, c.title): c
            for c in rows_where_in(Commitment.objects.all(), "title", titles)
        }
        commitment_ids = [c.pk for c in self.commitments.values()]
        self.follow_ups = defaultdict(list)
        for follow_up in rows_where_in(
            FollowUp.objects.order_by("id"), "commitment_id", commitment_ids
        ):
            self.follow_ups[follow_up.commitment_id].append(follow_up)
        self.cited = set()  # (source id, field, record id) of every existing citation
        for name, ids in [
            ("commitment", commitment_ids),
            ("follow_up", [f.pk for fs in self.follow_ups.values() for f in fs]),
            ("initiative", [i.pk for i in self.initiatives.values()]),
        ]:
            for citation in rows_where_in(Citation.objects.all(), f"{name}_id", ids):
                self.cited.add((citation.source_id, name, getattr(citation, f"{name}_id")))
        links = Commitment.people.through.objects.all()
        self.linked = {
            (link.commitment_id, link.person_id)
            for link in rows_where_in(links, "commitment_id", commitment_ids)
        }

    def all_sources(self) -> Iterable[dict]:
        for initiative in self.data.get("initiatives", []):
            yield from initiative.get("sources", [])
        for commitment in self.data.get("commitments", []):
            yield from commitment.get("sources", [])
            for follow_up in commitment.get("follow_ups", []):
                yield from follow_up.get("sources", [])

    @staticmethod
    def commitment_key(platform_id, initiative_id, kind, title) -> tuple:
        return (platform_id, initiative_id, kind, title)

    # Working out what changes, record by record -------------------------------------------

    def run(self, progress) -> None:
        self.work_out(progress)
        # Every record of the file is a row in memory now: the parsed file is let go
        # before writing, which takes about as much memory again (docs: data/README.md).
        self.data = None
        for model in [Source, Person, Commitment, FollowUp, Citation]:
            self.write(model)
        self.write_people_links()
        if self.report.changed:
            touched = self.touched()
            for start in range(0, len(touched), IN_CHUNK):
                chunk = touched[start : start + IN_CHUNK]
                commitments_refresh(
                    commitments=Commitment.objects.filter(pk__in=chunk), reason=self.reason
                )

    def work_out(self, progress) -> None:
        """The rows the file makes or changes, record by record in the file's order (the
        platforms and initiatives written, as the commitments refer to their ids)."""
        for n, record in enumerate(self.data.get("platforms", [])):
            self.platform(record, label("platforms", n, record))
        self.write(Platform)
        # Parents once every platform exists, as a file may name a parent after its child.
        for n, record in enumerate(self.data.get("platforms", [])):
            self.platform_parent(record, label("platforms", n, record))
        self.write(Platform)
        for n, record in enumerate(self.data.get("initiatives", [])):
            self.initiative(record, label("initiatives", n, record))
        # Before the commitments, which are matched by their initiative's id.
        self.write(Initiative)
        commitments = self.data.get("commitments", [])
        for n, record in enumerate(commitments):
            self.commitment(record, label("commitments", n, record))
            if progress:
                progress(n + 1, len(commitments))

    def create(self, name: str, obj, where: str):
        self.check(obj, where)
        self.writes[type(obj)].created.append(obj)
        self.report.record(name, "created")
        return obj

    def update(self, name: str, obj, values: dict, where: str):
        changed = {key: value for key, value in values.items() if getattr(obj, key) != value}
        if changed:
            for key, value in changed.items():
                setattr(obj, key, value)
            self.check(obj, where)
            if isinstance(obj, Source) and "title" in changed:
                self.retitled.append(obj)
            if isinstance(obj, Commitment):
                obj.updated_at = self.now  # what save() would do; bulk_update does not
                changed["updated_at"] = self.now
            if isinstance(obj, FollowUp) and "status_after" in changed:
                # A rating the file gives is approved by importing it (a Reviewer's act).
                obj.approved_at = self.now if obj.status_after else None
                obj.approved_by = None
                changed.update(approved_at=obj.approved_at, approved_by=None)
            if obj.pk is not None:  # a row made earlier in this import goes in as it is now
                writes = self.writes[type(obj)]
                writes.updated[obj.pk] = obj
                writes.fields |= set(changed)
            self.report.record(name, "updated")
        return obj

    def upsert(self, name: str, rows: dict, key, model, new: dict, values: dict, where: str):
        """The row `rows[key]` brought up to `values`, or a new one (with the fields `new`
        too) made and remembered there."""
        obj = rows.get(key)
        if obj is None:
            obj = rows[key] = self.create(name, model(**new, **values), where)
        else:
            self.update(name, obj, values, where)
        return obj

    def check(self, obj, where: str) -> None:
        """The model's own validation, every problem of the record at once: its fields,
        its clean(), and the constraints on what the file carries (for a commitment, one
        query: its effective date against its announcement; the date bounds are checked
        by the fields' validators, with no query, commitments/dates.py). Relations are
        the importer's own, made from names it has looked up."""
        relations = {f.name for f in obj._meta.fields if f.is_relation}
        exclude = relations | NOT_IN_THE_FORMAT.get(type(obj), set())
        try:
            obj.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            raise DatasetError(problems_of(where, error)) from error

    def platform(self, data: dict, where: str) -> None:
        values = {"operator": data.get("operator") or "", "category": data.get("category") or ""}
        name = data["name"]
        self.upsert("platform", self.platforms, name, Platform, {"name": name}, values, where)

    def platform_parent(self, data: dict, where: str) -> None:
        # Only a parent the file names is set: one that staff set is never cleared.
        if data.get("parent"):
            platform, parent = self.platforms[data["name"]], self.platforms[data["parent"]]
            # Compared by id, set as the object: Platform.clean() walks the parents in
            # memory, so two platforms naming each other are caught before writing.
            if platform.parent_id != parent.pk:
                self.update("platform", platform, {"parent": parent}, where)

    def initiative(self, data: dict, where: str) -> None:
        founded_on, precision = _partial(data.get("founded_on"))
        values = {
            "kind": initiative_kind(data["kind"]),
            "founded_on": founded_on,
            "founded_precision": precision,
            "url": data.get("url") or "",
            "description": data.get("description") or "",
        }
        name = data["name"]
        initiative = self.upsert(
            "initiative", self.initiatives, name, Initiative, {"name": name}, values, where
        )
        self.cite(data.get("sources", []), "initiative", initiative, where)

    def source(self, data: dict, where: str) -> Source:
        url = normalise_url(data["url"])
        if url not in self.file_sources:
            published_on, precision = _partial(data.get("published_on"))
            values = {
                "title": data["title"],
                "publisher": data.get("publisher") or "",
                "published_on": published_on,
                "published_precision": precision,
            }
            self.file_sources[url] = self.upsert(
                "source", self.sources, url, Source, {"url": url}, values, where
            )
        return self.file_sources[url]

    def person(self, data: dict, where: str) -> Person:
        name = data["name"]
        if name not in self.file_people:
            values = {
                "role": data.get("role") or "",
                "organisation": data.get("organisation") or "",
            }
            # Only a note the file holds is written: one that staff wrote is never cleared.
            if data.get("note"):
                values["note"] = data["note"]
            self.file_people[name] = self.upsert(
                "person", self.people, name, Person, {"name": name}, values, where
            )
        return self.file_people[name]

    def cite(self, sources: list[dict], name: str, record, where: str) -> None:
        """Add the citations `record` (its field `name`) lacks."""
        for data in sources:
            source = self.source(data, where)
            key = (ref(source), name, ref(record))
            if key not in self.cited:
                self.cited.add(key)
                self.create("citation", Citation(source=source, **{name: record}), where)

    def commitment(self, data: dict, where: str) -> None:
        announced_on, announced_precision = _partial(data["announced_on"])
        effective_on, effective_precision = _partial(data.get("effective_on"))
        platform = self.platforms[data["platform"]]
        initiative = self.initiatives[data["initiative"]] if data.get("initiative") else None
        values = {
            "summary": data.get("summary") or "",
            "announced_on": announced_on,
            "announced_precision": announced_precision,
            "effective_on": effective_on,
            "effective_precision": effective_precision,
            "confidence": data.get("confidence") or Commitment.Confidence.UNVERIFIED,
        }
        key = self.commitment_key(
            platform.pk, initiative.pk if initiative else None, data["kind"], data["title"]
        )
        # A new pledge checked against its sources goes public; staff decide the rest.
        verified = values["confidence"] == Commitment.Confidence.VERIFIED
        new = {
            "platform": platform,
            "initiative": initiative,
            "kind": data["kind"],
            "title": data["title"],
            "published": verified and may_be_published(has_sources=bool(data.get("sources"))),
        }
        commitment = self.upsert(
            "commitment", self.commitments, key, Commitment, new, values, where
        )
        self.file_commitments.append(commitment)
        self.cite(data.get("sources", []), "commitment", commitment, where)
        for person in (self.person(p, where) for p in data.get("people", [])):
            link = (ref(commitment), ref(person))
            if link not in self.linked:
                self.linked.add(link)
                self.new_links.append((commitment, person))
        self.follow_ups_of(commitment, data.get("follow_ups", []), where)

    def follow_ups_of(self, commitment: Commitment, records: list[dict], where: str) -> None:
        # A follow-up has no name of its own: it is the n-th of its kind on its date.
        known = self.follow_ups[ref(commitment)]
        available = defaultdict(list)
        for follow_up in known:
            key = (follow_up.happened_on, follow_up.happened_precision, follow_up.kind)
            available[key].append(follow_up)
        for data in records:
            happened_on, precision = _partial(data["happened_on"])
            values = {"summary": data["summary"], "status_after": data.get("status_after") or ""}
            same = available[(happened_on, precision, data["kind"])]
            if same:
                follow_up = self.update("follow-up", same.pop(0), values, where)
            else:
                follow_up = FollowUp(
                    commitment=commitment,
                    happened_on=happened_on,
                    happened_precision=precision,
                    kind=data["kind"],
                    approved_at=self.now if values["status_after"] else None,
                    **values,
                )
                known.append(self.create("follow-up", follow_up, where))
            self.cite(data.get("sources", []), "follow_up", follow_up, where)

    # Writing ---------------------------------------------------------------------------

    def write(self, model) -> None:
        """Insert and update what is pending for `model`, with their history rows."""
        writes = self.writes.pop(model, None)
        if writes is None:
            return
        if writes.created:
            if hasattr(model, "slug_source"):
                texts = [obj.slug_source() for obj in writes.created]
                for obj, slug in zip(writes.created, unique_slugs(model, texts), strict=True):
                    obj.slug = slug
            model.objects.bulk_create(writes.created)
            if model is not Commitment:  # a commitment's waits for its people
                history_write(writes.created, update=False, reason=self.reason)
        if writes.updated:
            rows = list(writes.updated.values())
            model.objects.bulk_update(rows, sorted(writes.fields))
            history_write(rows, update=True, reason=self.reason)
        if model is Commitment:
            self.new_commitments = writes.created

    def write_people_links(self) -> None:
        """The people named, then the history of the commitments: a new one's first row,
        and a row for each existing one whose people changed, lists them."""
        through = Commitment.people.through
        through.objects.bulk_create(
            through(commitment_id=commitment.pk, person_id=person.pk)
            for commitment, person in self.new_links
        )
        history_write(self.new_commitments, update=False, reason=self.reason)
        new_ids = {c.pk for c in self.new_commitments}
        regrouped = {c.pk: c for c, _ in self.new_links if c.pk not in new_ids}
        history_write(list(regrouped.values()), update=True, reason=self.reason)

    def touched(self) -> list[int]:
        """The ids of the commitments whose stored values may have changed: every one in
        the file, and those citing a source whose title changed."""
        citing = rows_where_in(
            Citation.objects.filter(commitment__isnull=False),
            "source_id",
            [source.pk for source in self.retitled],
        )
        ids = {c.pk for c in self.file_commitments} | {c.commitment_id for c in citing}
        return sorted(ids)
