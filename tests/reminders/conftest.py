"""Fixtures of the reminder tests: a record of the deliveries queued. The real SMTP server
(`smtp`) is in tests/conftest.py."""

import pytest

from reminders import tasks


@pytest.fixture(autouse=True)
def queued(request, monkeypatch):
    """Ids of the deliveries queued. Outside the integration tests nothing reaches Redis,
    so that no test leaves tasks behind for a real worker to find."""
    ids = []
    if request.node.get_closest_marker("integration") is None:
        monkeypatch.setattr(tasks.deliver_reminder, "delay", ids.append)
    return ids
