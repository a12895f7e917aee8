"""Strict readers for settings taken from the environment.

A bad value stops start-up with a message that names the variable, instead of
being read as something else (a DEBUG of "flase" must not mean False quietly).
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """A string; `NAME_FILE` (a path to a file holding the value) wins, for secrets."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {e.strerror}") from e
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_rate(name: str, default: str) -> str:
    """A throttle rate as Django REST framework reads it: "N/second", "N/minute",
    "N/hour" or "N/day"."""
    value = env_str(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be N/second, N/minute, N/hour or N/day, not {value!r}"
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_key_in(path: Path) -> str:
    """The secret key kept in `path`, made there (readable by its owner only) if absent.

    For a machine that was given no SECRET_KEY: the key stays the same from one start to
    the next, so sessions and signed links survive a restart, and it is never one that
    anybody else knows. Several processes starting at once agree on one key: each writes
    its own candidate, and only the first to link it into place wins.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.write(get_random_secret_key() + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        finally:
            candidate.unlink()
        return _read_key(path)
    except OSError as e:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and no key can be kept in {path}: {e.strerror}"
        ) from e


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it to have a new key made")
    return key
