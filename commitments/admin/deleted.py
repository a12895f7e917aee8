"""The "Deleted commitments" page: a reviewer brings back a pledge deleted by mistake,
with the sources and follow-ups that went with it (the work is in commitments/curation/restore.py).

The views are reached through CommitmentAdmin.get_urls, wrapped in admin_site.admin_view
(login, staff, CSRF); each checks the permission itself.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse

from commitments.curation.restore import (
    AlreadyRestored,
    RestoreError,
    commitment_restore,
    deleted_commitments,
)

PER_PAGE = 100
TEMPLATE = "admin/commitments/commitment/deleted_list.html"


def can_restore(model_admin, request) -> bool:
    # Restoring undoes a delete, so it takes the permission to delete.
    return model_admin.has_delete_permission(request)


def deleted_list(model_admin, request):
    if not can_restore(model_admin, request):
        raise PermissionDenied
    page = Paginator(deleted_commitments(), PER_PAGE).get_page(request.GET.get("p"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Deleted commitments",
        "opts": model_admin.model._meta,
        "page": page,
    }
    return TemplateResponse(request, TEMPLATE, context)


def restore(model_admin, request, history_id: int):
    if not can_restore(model_admin, request):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        commitment = commitment_restore(history_id=history_id, user=request.user)
    except AlreadyRestored as error:
        model_admin.message_user(request, str(error), messages.WARNING)
        return redirect("admin:commitments_commitment_deleted")
    except RestoreError as error:
        model_admin.message_user(request, f"Not restored: {error}", messages.ERROR)
        return redirect("admin:commitments_commitment_deleted")
    model_admin.log_addition(request, commitment, "Restored after deletion.")
    model_admin.message_user(request, restored_message(commitment), messages.SUCCESS)
    return redirect(commitment.get_admin_url())


def restored_message(commitment) -> str:
    citations = commitment.citations.count()
    follow_ups = commitment.follow_ups.count()
    return (
        f"Restored “{commitment}” with {citations} citation{pluralize(citations)} and "
        f"{follow_ups} follow-up{pluralize(follow_ups)}."
    )
