"""One piece of work run in several threads at once, for the tests of races."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(work: Callable[[], object], times: int = 2) -> list:
    """Calls `work()` in `times` threads released together and returns what each call
    returned, in the order they finished. An error in any thread is raised again here,
    so that it fails the test instead of being printed and lost with its thread."""
    start = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # raised again below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()  # each thread opened a connection of its own

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
