"""SQLite's connections as settings make them: the pragmas each one runs, and a bad value
refused at start-up with the variable's name. In processes of their own, since the
suite's own settings are PostgreSQL's."""

import os
import subprocess
import sys

from tests.processes import ROOT

SHOW_PRAGMAS = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    for name in ('mmap_size', 'cache_size'):\n"
    "        cursor.execute(f'PRAGMA {name}')\n"
    "        print(name, cursor.fetchone()[0])\n"
)


def manage(tmp_path, *arguments, **environment):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'settings.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_sqlite_connection_maps_the_file_and_keeps_a_larger_cache(tmp_path):
    done = manage(tmp_path, "shell", "--no-imports", "-c", SHOW_PRAGMAS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [f"mmap_size {1 << 30}", f"cache_size -{64 * 1024}"]
    changed = manage(tmp_path, "shell", "--no-imports", "-c", SHOW_PRAGMAS, SQLITE_CACHE_KIB="1024")
    assert "cache_size -1024" in changed.stdout, changed.stderr


def test_a_negative_size_stops_start_up_naming_the_variable(tmp_path):
    done = manage(tmp_path, "check", SQLITE_MMAP_BYTES="-1")
    assert done.returncode != 0
    assert "SQLITE_MMAP_BYTES must be 0 or more, not -1" in done.stderr
