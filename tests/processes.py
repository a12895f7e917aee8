"""Real processes for the fault tests: Celery workers and beats, the web server and a
Redis of the test's own (so that it can be stopped and started again), all on the test
database. Tests using these are transactional, so the processes see committed rows."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# For tests that start processes: those must reach the same database and Redis, which
# only the throwaway services of scripts/with-test-services offer.
needs_test_services = pytest.mark.skipif(
    os.environ.get("TRACKER_TEST_SERVICES") != "1",
    reason="needs the throwaway PostgreSQL and Redis of scripts/with-test-services (run make test)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tests_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start(args: list[str], log_path: Path, **env) -> subprocess.Popen:
    """A process in its own session (so that its children die with it) on the test
    database, with `env` added to this process's environment."""
    environment = dict(os.environ, DATABASE_URL=tests_database_url(), **env)
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=environment,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def smtp_env(port: int, **env) -> dict[str, str]:
    """Environment for a process that sends its mail to the test's SMTP server."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        **env,
    }


def start_worker(log_path: Path, **env) -> subprocess.Popen:
    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    return start(
        [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-l", "info",
         "--concurrency", "1", "--hostname", hostname,
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        log_path, **env,
    )  # fmt: skip


def start_beat(log_path: Path, **env) -> subprocess.Popen:
    # Schedules come from the database (django-celery-beat), as in production.
    return start([sys.executable, "-m", "celery", "-A", "tracker", "beat", "-l", "info"],
                 log_path, **env)  # fmt: skip


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and everything it started (a worker's pool children)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def wait_until(condition, what: str, log: Path | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            detail = f"; log:\n{log.read_text()}" if log and log.exists() else ""
            raise AssertionError(f"no {what} in {seconds} s{detail}")
        time.sleep(0.2)


class RedisServer:
    """A throwaway redis-server on a fixed free port, which a test can stop and start."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_until(self.answers, f"Redis on port {self.port}", seconds=20)

    def stop(self) -> None:
        if self.process is not None:
            kill(self.process)
            self.process = None

    def answers(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0
