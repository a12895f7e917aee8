"""Settings are read strictly from the environment, and the default set-up runs on SQLite.

Each case runs Django in a fresh subprocess, because settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Every variable tracker/settings.py reads; cleared from each subprocess (with its
# NAME_FILE form) so that a case sets exactly what it tests.
SETTINGS_VARIABLES = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "REDIS_URL", "TIME_ZONE", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL", "EMAIL_BACKEND", "SITE_URL", "LOG_LEVEL", "HTTPS",
    "NUM_PROXIES", "HSTS_SECONDS", "HSTS_INCLUDE_SUBDOMAINS", "HSTS_PRELOAD",
    "API_THROTTLE_RATE", "DOWNLOADS_THROTTLE_RATE", "FEEDS_THROTTLE_RATE", "RELEASES_DIR",
]  # fmt: skip
SETUP = "import django; django.setup()"


def run(args, **variables):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES
        and name.removesuffix("_FILE") not in SETTINGS_VARIABLES
        # The browser tests set it in this process; a deployment never has it (async.E001).
        and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_valid_environment_starts():
    # The control case: the failures below are the variables' fault, not the harness's.
    result = run(["-c", SETUP], DEBUG="false", SECRET_KEY="x" * 50, EMAIL_PORT="587")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "name, value",
    [
        ("DEBUG", "flase"),
        ("EMAIL_PORT", "twenty-five"),
        ("EMAIL_TIMEOUT", "30s"),
        ("EMAIL_USE_TLS", "maybe"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("DATABASE_URL", "mysql://user@localhost/tracker"),
        ("DATABASE_URL", "nonsense://whatever"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("HTTPS", "yes please"),
        ("NUM_PROXIES", "one"),
        ("API_THROTTLE_RATE", "lots"),
        ("API_THROTTLE_RATE", "100/fortnight"),
        ("DOWNLOADS_THROTTLE_RATE", "0/hour"),
    ],
)
def test_bad_value_stops_start_up_and_names_the_variable(name, value):
    result = run(["-c", SETUP], **{name: value})
    assert result.returncode != 0
    assert name in result.stderr.splitlines()[-1], result.stderr


def test_with_nothing_set_it_runs_as_production_with_a_key_of_its_own_kept_in_var():
    show = SETUP + "; from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
    first, second = run(["-c", show]), run(["-c", show])
    assert first.returncode == 0, first.stderr

    debug, key = first.stdout.split()
    assert debug == "False"
    assert second.stdout.split() == [debug, key], "the key is kept from one start to the next"
    assert len(key) >= 50 and "insecure" not in key
    key_file = ROOT / "var" / "secret_key"
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o077 == 0, "only its owner may read the key"


def test_a_given_secret_key_wins_over_the_kept_one():
    show = SETUP + "; from django.conf import settings as s; print(s.SECRET_KEY)"
    assert run(["-c", show], SECRET_KEY="k" * 50).stdout.strip() == "k" * 50


def test_check_deploy_is_clean_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="production-" + "k" * 50,
        HTTPS="true",
        ALLOWED_HOSTS="tracker.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_https_it_redirects_plain_http_and_sends_hsts():
    show = (
        SETUP + "; from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_REDIRECT_EXEMPT)"
    )
    result = run(["-c", show], HTTPS="true", HSTS_SECONDS="600")
    assert result.stdout.split() == ["True", "600", "True", "['^healthz$']"], result.stderr


def test_production_serves_static_files_and_behind_https_sends_secure_cookies():
    show = (
        SETUP + "; from django.conf import settings as s; "
        "print('whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    production = run(["-c", show], DEBUG="false", SECRET_KEY="x" * 50, HTTPS="true")
    development = run(["-c", show], DEBUG="true")

    assert production.stdout.split() == [
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    assert development.stdout.split() == ["True", "False", "False", "None"]


def test_the_throttle_rates_come_from_the_environment():
    show = (
        SETUP + "; from django.conf import settings as s; "
        "print(sorted(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'].items()))"
    )
    assert run(["-c", show]).stdout.strip() == (
        "[('anon', '120/minute'), ('downloads', '30/hour'), ('feeds', '120/hour')]"
    )
    raised = run(
        ["-c", show],
        API_THROTTLE_RATE="5000/second",
        DOWNLOADS_THROTTLE_RATE="50/second",
        FEEDS_THROTTLE_RATE="60/day",
    )
    assert raised.stdout.strip() == (
        "[('anon', '5000/second'), ('downloads', '50/second'), ('feeds', '60/day')]"
    ), raised.stderr


def test_secret_key_file_is_read(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-a-file-" + "k" * 40 + "\n")
    result = run(
        ["-c", SETUP + "; from django.conf import settings; print(settings.SECRET_KEY)"],
        DEBUG="false",
        SECRET_KEY_FILE=str(key_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "k" * 40


def test_unreadable_secret_key_file_names_the_variable(tmp_path):
    result = run(["-c", SETUP], DEBUG="false", SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "SECRET_KEY_FILE" in result.stderr.splitlines()[-1], result.stderr


def test_default_database_is_the_sqlite_file_in_var():
    result = run(
        [
            "-c",
            SETUP + "; from django.db import connection as c;"
            " print(c.settings_dict['ENGINE']); print(c.settings_dict['NAME'])",
        ]
    )
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "tracker.sqlite3"


def test_sqlite_set_up_migrates_and_passes_checks(tmp_path):
    # The default set-up's engine, with its file in a temporary directory instead of var/.
    database = tmp_path / "tracker.sqlite3"
    url = f"sqlite:///{database}"
    migrate = run(["manage.py", "migrate", "--noinput"], DATABASE_URL=url)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert database.exists()
    check = run(["manage.py", "check"], DATABASE_URL=url)
    assert check.returncode == 0, check.stdout + check.stderr
