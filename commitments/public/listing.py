"""The commitment listing and the page of one commitment."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.dateformat import format as date_format
from django.utils.timezone import localdate

from commitments.models import Citation, Commitment, FollowUp
from commitments.public.selectors import InvalidFilters, public_commitments, public_listing

PAGE_SIZE = 25


def commitment_list(request):
    try:
        filterset = public_listing(request.GET)
    except InvalidFilters as error:
        # Show what is wrong rather than a listing that silently ignores a filter.
        context = {"filter": error.filterset}
        return render(request, "commitments/commitment_list.html", context, status=400)
    page = paginate(filterset.qs, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "active": filterset.active(),
    }
    return render(request, "commitments/commitment_list.html", context)


def paginate(commitments, number):
    """A page of `commitments`, found by id first: a deep page then skips index entries
    rather than whole joined rows, and the page's own rows are read by id."""
    page = Paginator(commitments.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    rows = public_commitments().with_source_counts().in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    return page


def commitment_detail(request, slug):
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
    context = {
        "commitment": commitment,
        "rating": ratings[-1] if ratings else None,
        "review": commitment.reviews.first(),
        "reply_requests": commitment.reply_requests.select_related("answer"),
        "citation_line": citation_line(commitment, request.build_absolute_uri()),
    }
    return render(request, "commitments/commitment_detail.html", context)


def citation_line(commitment: Commitment, url: str) -> str:
    """A ready-made line for footnotes and articles."""
    return (
        f"{commitment.platform.name}, “{commitment.title}”, announced "
        f"{commitment.announced_display}; status: {commitment.get_status_display().lower()}. "
        f"Child-safety commitment tracker, {url} (accessed {date_format(localdate(), 'j F Y')})."
    )
