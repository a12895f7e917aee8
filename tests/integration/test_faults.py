"""Fault tests of the follow-up engine with real parts: Redis, Celery workers and beats,
the web server, PostgreSQL and an SMTP server (aiosmtpd), each in its own process.

The issue's five: (1) a worker killed in the middle of an SMTP conversation is in
tests/reminders/test_fault.py; (2) SMTP's temporary and permanent errors, (3) Redis
stopped, (4) two beats at once and (5) a rolled-back transaction are here.
"""

import datetime
import re
import sys
import time

import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from commitments.models import Commitment, Flag, FollowUp, FollowUpRule
from reminders import tasks
from reminders.models import Reminder
from tests import processes
from tests.factories import make_commitment
from tests.processes import RedisServer, kill, smtp_env, wait_until
from tests.staff_login import authenticator, log_in, next_code
from tracker.celery import app

pytestmark = [
    processes.needs_test_services,
    pytest.mark.django_db(transaction=True),
]

DAY = datetime.timedelta(days=1)


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def rules() -> None:
    """Transactional tests start from empty tables: the migrations' rules and groups too."""
    FollowUpRule.objects.get_or_create(kind="membership", defaults={"interval_days": 365})
    Group.objects.get_or_create(name="Reviewers")


def owner(username: str) -> User:
    return User.objects.create_user(
        username, f"{username}@example.org", "pw", is_staff=True, is_superuser=True
    )


def overdue(platform, title: str, who: User | None, days: int = 500, **fields) -> Commitment:
    return make_commitment(
        platform,
        title,
        kind="membership",
        owner=who,
        announced_on=datetime.date.today() - days * DAY,
        **fields,
    )


# 3. Redis stopped ------------------------------------------------------------------------


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, url
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_with_redis_down_the_site_works_and_the_work_waits_for_it(
    tmp_path, own_redis, smtp, platform
):
    rules()
    editor = owner("owner")
    # The web server checks the password with the default hasher (tests/conftest.py).
    editor.password = make_password("pw", hasher="pbkdf2_sha256")
    editor.save()
    device = authenticator(editor)  # a superuser: the token step follows the password
    pledge = overdue(platform, "Quiet pledge", editor)
    rule = FollowUpRule.objects.get(kind="membership")
    failed = Reminder.objects.create(recipient=editor, period="2026-W48", status="failed")
    Flag.objects.create(commitment=pledge, reason="overdue")

    # Redis is not running at all: its port is free.
    port = processes.free_port()
    site = f"http://127.0.0.1:{port}"
    web_log = tmp_path / "web.log"
    web = processes.start(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        web_log,
        REDIS_URL=own_redis.url,
        DEBUG="true",
    )
    worker = None
    try:
        wait_until(lambda: _answers(site), "web server", web_log)
        for path in ["/", "/commitments/", f"/commitments/{pledge.slug}/", "/api/commitments/"]:
            started = time.monotonic()
            assert requests.get(site + path, timeout=10).status_code == 200, path
            assert time.monotonic() - started < 5, f"{path} waited on Redis"
        health = requests.get(site + "/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["redis"] == "unreachable"

        staff = requests.Session()
        token = csrf_token(staff, site + "/admin/login/")
        login = staff.post(
            site + "/admin/login/?next=/admin/",
            data={"username": "owner", "password": "pw", "csrfmiddlewaretoken": token},
            headers={"Referer": site + "/admin/login/"},
            timeout=10,
        )
        assert "/admin/second-factor/verify/" in login.url, web_log.read_text()
        verified = staff.post(
            login.url,
            data={"code": next_code(device), "csrfmiddlewaretoken": csrf_token(staff, login.url)},
            headers={"Referer": login.url},
            timeout=10,
        )
        assert verified.url.endswith("/admin/"), web_log.read_text()

        # An admin save: the rule, which recomputes its pledges' due dates.
        change = f"{site}/admin/commitments/followuprule/{rule.pk}/change/"
        saved = staff.post(
            change,
            data={
                "csrfmiddlewaretoken": csrf_token(staff, change),
                "interval_days": 400,
                "grace_days": rule.grace_days,
            },
            headers={"Referer": change},
            timeout=10,
        )
        assert saved.status_code == 200 and saved.url.endswith("/followuprule/"), saved.url
        pledge.refresh_from_db()
        assert pledge.follow_up_due_on == pledge.announced_on + 400 * DAY

        # An admin action that queues work: Redis refuses it, the row waits in the database.
        reminders = f"{site}/admin/reminders/reminder/"
        started = time.monotonic()
        resent = staff.post(
            reminders,
            data={
                "csrfmiddlewaretoken": csrf_token(staff, reminders),
                "action": "send_again",
                "_selected_action": [failed.pk],
            },
            headers={"Referer": reminders},
            timeout=30,
        )
        assert resent.status_code == 200 and "queued to send again" in resent.text
        assert time.monotonic() - started < 10
        failed.refresh_from_db()
        assert failed.status == "pending"
        assert smtp.messages == []

        # Redis comes back: the sweeper queues what waited, a worker sends it, once.
        own_redis.start()
        worker_log = tmp_path / "worker.log"
        worker = processes.start_worker(worker_log, REDIS_URL=own_redis.url, **smtp_env(smtp.port))
        sweep = processes.start(
            [sys.executable, "manage.py", "shell", "-c",
             "from reminders.tasks import sweep_reminders; print(sweep_reminders())"],
            tmp_path / "sweep.log", REDIS_URL=own_redis.url,
        )  # fmt: skip
        assert sweep.wait(timeout=60) == 0, (tmp_path / "sweep.log").read_text()
        wait_until(lambda: len(smtp.messages) == 1, "the waiting digest", worker_log)
        time.sleep(2)  # time for a second copy to arrive, were there one
    finally:
        kill(web)
        if worker is not None:
            kill(worker)
    assert [m["To"] for m in smtp.messages] == ["owner@example.org"]
    failed.refresh_from_db()
    assert failed.status == "sent"


def _answers(site: str) -> bool:
    try:
        requests.get(site + "/healthz", timeout=2)
    except requests.ConnectionError:
        return False
    return True


# 4. Two beats at once ----------------------------------------------------------------------


def test_two_beats_make_the_flags_and_emails_of_one(tmp_path, own_redis, smtp, platform):
    rules()
    alice, reviewer = owner("alice"), owner("reviewer")
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    overdue(platform, "Alice's overdue pledge", alice)
    overdue(platform, "Alice's long-overdue pledge", alice, days=1200)
    overdue(platform, "Unowned, unsourced", None, with_source=False)
    # Every second, so that two beats fire them many times over while the test watches.
    PeriodicTask.objects.all().delete()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    for task in ["commitments.tasks.flag_commitments", "reminders.tasks.send_reminders"]:
        PeriodicTask.objects.create(name=task, task=task, interval=every_second)

    own_redis.start()
    env = {"REDIS_URL": own_redis.url, **smtp_env(smtp.port)}
    worker_log = tmp_path / "worker.log"
    worker = processes.start_worker(worker_log, **env)
    beats = [processes.start_beat(tmp_path / f"beat{n}.log", **env) for n in (1, 2)]
    broker = redis.Redis.from_url(own_redis.url)
    try:
        # Each beat sends each task several times.
        wait_until(
            lambda: all(sent_by(tmp_path / f"beat{n}.log") >= 12 for n in (1, 2)),
            "six runs of each schedule from each beat",
            tmp_path / "beat1.log",
        )
        for beat in beats:
            kill(beat)
        wait_until(lambda: broker.llen("celery") == 0, "an empty queue", worker_log)
        wait_until(lambda: len(smtp.messages) == 2, "two digests", worker_log)
        time.sleep(3)  # the last tasks finish; a doubled email would arrive meanwhile
    finally:
        for beat in beats:
            kill(beat)
        kill(worker)
        broker.close()

    assert sorted(Flag.objects.open().values_list("commitment__title", "reason")) == [
        ("Alice's long-overdue pledge", "overdue"),
        ("Alice's overdue pledge", "overdue"),
        ("Unowned, unsourced", "overdue"),
        ("Unowned, unsourced", "unsourced"),
    ]
    assert Flag.objects.count() == 4
    # However long overdue, no job rates a pledge.
    assert not FollowUp.objects.exists()
    assert sorted(m["To"] for m in smtp.messages) == ["alice@example.org", "reviewer@example.org"]
    assert Reminder.objects.filter(status="sent").count() == 2


def sent_by(beat_log) -> int:
    return beat_log.read_text().count("Sending due task")


# 5. A rolled-back transaction ------------------------------------------------------------


class Rollback(Exception):
    pass


def test_a_transaction_that_rolls_back_queues_nothing(platform):
    rules()
    overdue(platform, "Quiet pledge", owner("owner"))
    Flag.objects.create(commitment=Commitment.objects.get(), reason="overdue")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    app.control.purge()
    try:
        with pytest.raises(Rollback), transaction.atomic():
            tasks.send_reminders()  # makes a row and queues its delivery on commit
            raise Rollback
        assert broker.llen("celery") == 0
        assert not Reminder.objects.exists()

        tasks.send_reminders()  # the same, committed: the delivery is queued
        assert broker.llen("celery") == 1
    finally:
        app.control.purge()
        broker.close()


# 2. SMTP's temporary and permanent errors, through a real worker -------------------------


def test_smtp_errors_through_a_real_worker(tmp_path, smtp, platform, client):
    """451 twice then accepted: delivered once, on the third try (the worker's retries,
    a second apart here). 550: no retry, failed, and the admin shows it."""
    rules()
    alice, bob = owner("alice"), owner("bob")
    for who in (alice, bob):
        Flag.objects.create(commitment=overdue(platform, f"{who}'s pledge", who), reason="overdue")
    app.control.purge()
    worker_log = tmp_path / "worker.log"
    worker = processes.start_worker(
        worker_log, REMINDER_RETRY_BASE_SECONDS="1", **smtp_env(smtp.port)
    )
    try:
        smtp.replies = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
        Reminder.objects.create(recipient=alice, period="2026-W48")
        tasks.queue_deliveries([Reminder.objects.get(recipient=alice).pk])
        wait_until(lambda: Reminder.objects.filter(status="sent").exists(), "delivery", worker_log)
        assert [m["To"] for m in smtp.messages] == ["alice@example.org"]
        assert len(smtp.refused) == 2
        assert Reminder.objects.get(recipient=alice).attempts == 3

        smtp.replies = ["550 5.7.1 Message rejected"]
        Reminder.objects.create(recipient=bob, period="2026-W48")
        tasks.queue_deliveries([Reminder.objects.get(recipient=bob).pk])
        wait_until(lambda: Reminder.objects.filter(status="failed").exists(), "failure", worker_log)
        time.sleep(3)  # three backoffs' worth: a retry, were there one, would show
    finally:
        kill(worker)
        app.control.purge()
    failed = Reminder.objects.get(recipient=bob)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "550" in failed.last_error
    assert len(smtp.refused) == 3 and len(smtp.messages) == 1

    log_in(client, alice)  # a superuser
    listing = client.get("/admin/reminders/reminder/", {"status__exact": "failed"})
    text = listing.content.decode()
    assert "bob" in text and "550 5.7.1 Message rejected" in text
