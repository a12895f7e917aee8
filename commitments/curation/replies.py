"""Recording the platform's right of reply (commitments/models/replies.py): a request, and
later the follow-up that holds its answer. The answer itself is a follow-up like any
other, recorded and rated through commitments/curation/evidence.py."""

from commitments.models import ReplyRequest


def reply_request_record(*, request: ReplyRequest, user) -> ReplyRequest:
    """Save a new or changed request (validated by its form or `full_clean()`)."""
    if request.pk is None:
        request.asked_by = user
    request.save()
    return request


def reply_requests_delete(*, requests) -> int:
    """Delete requests recorded by mistake; their answers, being follow-ups, stay."""
    requests = list(requests)
    for request in requests:
        request.delete()
    return len(requests)
