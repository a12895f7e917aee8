"""The suite runs on the services it claims to: PostgreSQL (a real Celery worker on Redis is
tests/integration/test_celery_worker.py), and the staff login that `make run` creates on
a fresh set-up."""

import base64
import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP

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
    # A superuser passes a second factor: one of the recovery codes printed with it, each
    # once, or a code from an app given the printed key.
    codes = re.search(
        r"recovery codes, each of which works once:\s+((?:[a-z2-7]{8} ?){10})\n", first.getvalue()
    )
    assert codes, first.getvalue()
    recovery = codes.group(1).split()
    client = Client()
    login = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": password})
    assert login.status_code == 302, login.content.decode()
    assert client.get("/admin/").url.startswith("/admin/second-factor/verify/")
    assert client.post("/admin/second-factor/verify/", {"code": recovery[0]}).url == "/admin/"
    assert client.get("/admin/").status_code == 200

    key = re.search(r"secret=([A-Z2-7]+)", first.getvalue()).group(1)
    assert " ".join(re.findall(".{1,4}", key)) in first.getvalue()
    app = Client()
    app.post("/admin/login/", {"username": "admin", "password": password})
    code = f"{TOTP(base64.b32decode(key)).token():06d}"
    assert app.post("/admin/second-factor/verify/", {"code": code}).url == "/admin/"

    second = StringIO()
    call_command("create_staff_login", stdout=second)
    assert "already exists" in second.getvalue()
    assert password not in second.getvalue()
    assert recovery[1] not in second.getvalue()
    assert "remove_second_factor admin" in second.getvalue()
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_create_staff_login_honours_username():
    out = StringIO()
    call_command("create_staff_login", "--username", "editor", stdout=out)
    assert ": editor / " in out.getvalue()
    assert get_user_model().objects.get(username="editor").is_superuser
