"""The suite runs on the services it claims to: PostgreSQL, a real Celery worker on Redis,
and the staff login that `make run` creates on a fresh set-up."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
WITH_TEST_SERVICES = os.environ.get("TRACKER_TEST_SERVICES") == "1"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="DATABASE_URL is not a PostgreSQL URL (make test runs the suite on PostgreSQL)",
)
@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_database_url_says_so():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.integration
@pytest.mark.skipif(
    not WITH_TEST_SERVICES,
    reason="needs the throwaway Redis of scripts/with-test-services (run make test)",
)
def test_celery_worker_answers_on_redis(tmp_path):
    from tracker.celery import app

    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-l", "info",
         "--concurrency", "1", "--hostname", hostname],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        replies = []
        deadline = time.monotonic() + 60
        while not replies and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            replies = app.control.ping(destination=[hostname], timeout=1.0)
        assert replies, "no reply in 60 s; worker log:\n" + (tmp_path / "worker.log").read_text()
        assert hostname in replies[0]
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        # The worker's pool children share its session; leave none behind.
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


@pytest.mark.django_db
def test_create_staff_login_creates_a_superuser_once():
    first = StringIO()
    call_command("create_staff_login", stdout=first)
    match = re.search(r"http://\S+/admin/: admin / (\S+) \(shown once", first.getvalue())
    assert match, first.getvalue()
    password = match.group(1)

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    # The digests of unowned flagged pledges go to Reviewers: this login receives them.
    assert list(user.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert user.email == "admin@localhost"
    client = Client()
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200

    second = StringIO()
    call_command("create_staff_login", stdout=second)
    assert "already exists" in second.getvalue()
    assert password not in second.getvalue()
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_create_staff_login_honours_username():
    out = StringIO()
    call_command("create_staff_login", "--username", "editor", stdout=out)
    assert ": editor / " in out.getvalue()
    assert get_user_model().objects.get(username="editor").is_superuser
