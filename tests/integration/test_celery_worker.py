"""The suite's Celery worker answers on the test Redis (scripts/with-test-services)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WITH_TEST_SERVICES = os.environ.get("TRACKER_TEST_SERVICES") == "1"


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
