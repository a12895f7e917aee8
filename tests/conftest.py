"""The named cast every test starts from; each test adds the rows it needs."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from commitments.models import Citation, Commitment, Initiative, Platform, Source
from commitments.public import kept
from commitments.refresh import commitments_refresh
from tests import network_guard
from tests.smtp_server import LoopbackController, Mailbox


def pytest_configure(config):
    from django.conf import settings

    # No test connects anywhere but loopback (tests/network_guard.py, the `network`
    # fixture below), and the link checker's tests use local servers, which it would
    # otherwise refuse; the tests of that refusal turn it off again.
    network_guard.install()
    settings.LINKCHECK_ALLOW_LOOPBACK = True

    # Test users' passwords need no strength: the default hasher's rounds cost a third of
    # a second per user on a small machine, and the suite makes hundreds of users. The
    # default stays available for a user who logs in to a web server the test starts
    # (tests/test_faults.py), which knows only the default.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


# The tests that start processes (Celery workers and beats, web servers, a Redis of their
# own, Chromium) live in tests/integration/, and are marked `integration` for it, so that
# `make test-fast` can leave them out with -m "not integration".
PROCESS_TESTS = "tests/integration/"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(PROCESS_TESTS):
            item.add_marker(pytest.mark.integration)


BROWSER_TESTS = "tests/integration/browser/"


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (make test), the browser tests go to one worker and the other
    process tests (Celery workers and beats, web servers, their own Redis) to one worker,
    each group one test at a time, as they would run alone: two browsers at once on two
    cores time out, and the process tests share the test Redis. Every other test goes
    wherever a worker is free. The two groups come last, so the two workers end on one
    each rather than one worker running all of them while the other waits.

    The tests keep pytest-django's order, transactional ones last (the process tests are
    all transactional): a transactional test empties its worker's database, the
    migrations' groups and rules included, so nothing may run after one that needs them.
    """
    from xdist.scheduler import LoadScopeScheduling

    class ProcessTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return BROWSER_TESTS
            return PROCESS_TESTS if nodeid.startswith(PROCESS_TESTS) else nodeid

    config.option.loadscopereorder = False  # it would put the biggest groups first
    return ProcessTestsTogether(config, log)


class NetworkWatch:
    """What one test connected to; see tests/network_guard.py."""

    def __init__(self):
        self.start = len(network_guard.attempts)

    def attempts(self) -> list[tuple[str, str]]:
        """(how, address) of every connection this test tried, "socket" or "curl"."""
        return network_guard.attempts[self.start :]

    def addresses(self) -> set[str]:
        return {address for _, address in self.attempts()}


# Violations already reported, by the test whose teardown saw them or at the session's end.
reported_violations = 0


def new_violations() -> list[str]:
    global reported_violations
    new = network_guard.violations[reported_violations:]
    reported_violations = len(network_guard.violations)
    return new


@pytest.fixture(autouse=True)
def network():
    """Fails the test (at teardown) that tried to connect outside loopback, whatever the
    code under test made of the refusal; any earlier attempt (a fixture of a wider scope)
    is reported with it."""
    watch = NetworkWatch()
    yield watch
    tried = new_violations()
    if tried:
        pytest.fail("Connected outside loopback: " + "; ".join(tried), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    tried = new_violations()
    if tried:
        print("\nConnected outside loopback outside any test: " + "; ".join(tried))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def fresh_cache():
    """The API's throttle counts requests in the cache: every test starts from zero, so
    that no test is refused for what the tests before it asked."""
    cache.clear()


@pytest.fixture(autouse=True)
def quick_counts(monkeypatch):
    """Every count is quick, and done afresh for each request, however long this machine
    takes: whether a count is kept (commitments/public/kept.py) must not hang on its
    speed. A test of a kept count sets `kept.SLOW` to -1 (every count slow)."""
    monkeypatch.setattr(kept, "SLOW", float("inf"))


def staff_user(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return staff_user("editor", "Editors")


@pytest.fixture
def reviewer(db):
    return staff_user("reviewer", "Reviewers")


@pytest.fixture
def outsider(db):
    """Staff, but in no group: may log in to the admin and do nothing there."""
    return staff_user("outsider", None)


@pytest.fixture
def platform(db):
    return Platform.objects.create(name="TikTok", operator="TikTok (ByteDance)")


@pytest.fixture
def initiative(db):
    return Initiative.objects.create(
        name="WeProtect Global Alliance", kind=Initiative.Kind.ALLIANCE
    )


@pytest.fixture
def source(db):
    return Source.objects.create(
        url="https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect",
        title="TikTok joins WeProtect Global Alliance",
        publisher="TikTok Newsroom (UK)",
    )


@pytest.fixture
def commitment(platform, initiative, source):
    """A published pledge with one source and no follow-up."""
    pledge = Commitment.objects.create(
        platform=platform,
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP,
        title="TikTok joins the WeProtect Global Alliance",
        announced_on=datetime.date(2020, 6, 22),
        published=True,
    )
    Citation.objects.create(commitment=pledge, source=source)
    commitments_refresh(commitments=[pledge.pk])
    pledge.refresh_from_db()  # with its due dates, so that a later save() keeps them
    return pledge


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = LoopbackController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 10
    mailbox.port = controller.port
    yield mailbox
    controller.stop()
