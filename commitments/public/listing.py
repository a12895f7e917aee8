"""The commitment listing and the page of one commitment."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localdate

from commitments.models import Citation, Commitment, FollowUp
from commitments.public import as_of
from commitments.public.paging import CappedPaginator, rows_in_order
from commitments.public.selectors import InvalidFilters, public_commitments, public_listing
from commitments.releases.store import COMPRESSED, newest_release

PAGE_SIZE = 25
# What says which page: left out of the links the page builds on its own query string.
PAGING_PARAMETERS = ("page", "after", "before")


def commitment_list(request):
    try:
        day = as_of.as_of_day(request.GET)
    except as_of.InvalidAsOf as error:
        return as_of.refused(request, error)
    banner = as_of.banner(request, day) if day else None
    try:
        if day is None:
            filterset = public_listing(request.GET)
        else:
            filterset = as_of.public_listing_as_of(request.GET, day=day)
    except InvalidFilters as error:
        # Show what is wrong rather than a listing that silently ignores a filter.
        context = {"filter": error.filterset, "as_of": banner}
        return render(request, "commitments/commitment_list.html", context, status=400)
    if day is None:
        # A search's pages by number only: each read on from a row would match the words
        # again (at a million pledges a common word's matches take 50 ms to list, once a
        # query, on SQLite, and a page read from a row takes three), which costs more
        # than skipping rows.
        searching = bool(filterset.form.cleaned_data.get("q"))
        page = paginate(
            filterset.qs,
            request.GET,
            to_count=filterset.to_count,
            count_key=count_key(filterset),
            keyset=not searching,
        )
    else:
        page = paginate_as_of(filterset.qs, request.GET.get("page"), day=day)
    query = request.GET.copy()
    for name in PAGING_PARAMETERS:
        query.pop(name, None)
    active = filterset.active()
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "active": active,
        "as_of": banner,
        "whole_dataset": whole_dataset() if day is None and not active else None,
    }
    return render(request, "commitments/commitment_list.html", context)


def whole_dataset() -> dict | None:
    """The newest release and its compressed CSV and JSON, which hold the whole list
    (commitments/releases/), or None before the first release that has them."""
    release = newest_release()
    if release is None:
        return None
    files = {extension: release.file(name) for extension, name in COMPRESSED.items()}
    return {"release": release, **files} if all(files.values()) else None


def count_key(filterset) -> tuple:
    """What tells one listing's count from another's: the value of each filter, not the
    order (a platform by its id, however it was named)."""
    data = filterset.form.cleaned_data
    return tuple(
        (name, str(getattr(data.get(name), "pk", data.get(name))))
        for name in filterset.filters
        if name != "sort"
    )


def paginate(commitments, params, *, to_count=None, count_key=None, keyset=True):
    """The page of `commitments` that `params` ask for (`page`, and unless not `keyset`
    `after` or `before`, which the page's own links then give: commitments/public/paging.py),
    found by id first, then the page's own rows read by id. Counted up to a cap, in
    `to_count` if given (the same pledges); a slow count named by `count_key` is kept a
    while (commitments/public/kept.py): a common word's on PostgreSQL took 70 ms at a
    million pledges, a rare word's 60 (its 9,832 rows each read from the table)."""
    ids = commitments.values_list("pk", flat=True)
    count_list = None if to_count is None else to_count.values_list("pk", flat=True)
    paginator = CappedPaginator(ids, PAGE_SIZE, count_list=count_list, count_key=count_key)
    if keyset:
        page = paginator.page_beside(
            params.get("page"), after=params.get("after", ""), before=params.get("before", "")
        )
    else:
        page = paginator.get_page(params.get("page"))
    page.object_list = rows_in_order(
        public_commitments().with_source_counts(), list(page.object_list)
    )
    return page


def paginate_as_of(rows, number, *, day):
    """`paginate` over history rows (commitments/public/as_of.py): by history id first,
    then the page's rows rebuilt as they stood, with their sources counted."""
    page = CappedPaginator(rows.values_list("history_id", flat=True), PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    page.object_list = as_of.page_as_they_stood(rows, ids, day=day, sources=True)
    return page


def commitment_detail(request, slug):
    try:
        day = as_of.as_of_day(request.GET)
    except as_of.InvalidAsOf as error:
        return as_of.refused(request, error)
    if day is None:
        context = commitment_page(slug)
    else:
        context = as_of.commitment_page_as_of(slug=slug, day=day)
        context["as_of"] = as_of.banner(request, day)
    commitment = context["commitment"]
    permalink = request.build_absolute_uri(reverse("commitments:detail", args=[slug]))
    # A permalink to the page as it stands on the day cited (or as of the day shown), so
    # that a reader who follows it later reads what the citer read.
    cited_day = (day or localdate()).isoformat()
    context["citation_line"] = citation_line(commitment, f"{permalink}?as_of={cited_day}")
    return render(request, "commitments/commitment_detail.html", context)


def commitment_page(slug: str) -> dict:
    """What a pledge's page shows today (its template's context but the citation line)."""
    citations = Citation.objects.select_related("source", "person").with_kept_text().order_by("id")
    follow_ups = (
        FollowUp.objects.public()
        .order_by("happened_on", "id")
        .prefetch_related(Prefetch("citations", queryset=citations))
    )
    commitment = get_object_or_404(
        public_commitments().prefetch_related(
            Prefetch("citations", queryset=citations),
            Prefetch("follow_ups", queryset=follow_ups),
            "people",
        ),
        slug=slug,
    )
    # The rating the status comes from: the newest approved one, as the refresh picks it.
    ratings = [follow_up for follow_up in commitment.follow_ups.all() if follow_up.status_after]
    return {
        "commitment": commitment,
        "rating": ratings[-1] if ratings else None,
        "review": commitment.reviews.first(),
        "reply_requests": commitment.reply_requests.select_related("answer"),
    }


def citation_line(commitment: Commitment, url: str) -> str:
    """A ready-made line for footnotes and articles."""
    return (
        f"{commitment.platform.name}, “{commitment.title}”, announced "
        f"{commitment.announced_display}; status: {commitment.get_status_display().lower()}. "
        f"Child-safety commitment tracker, {url} (accessed {date_format(localdate(), 'j F Y')})."
    )
