#!/usr/bin/env python
"""The admin's commitment list against the public listing, on a database of load data.

    .venv/bin/python bench/admin_list.py --database-url sqlite:////work/main/var/bench/peer-1000000.sqlite3

In-process through Django's test Client, as bench/pages.py measures the public pages:
each pair of URLs (the admin's list with a filter, the public list with the same one)
interleaved, one warm-up each, then `--requests` of each; median and p95 (nearest rank),
the ratio of the medians, and each page's weight. The issue's target: the admin's list
within twice the public one's time.

It logs in as `bench-admin`, a superuser it makes with no usable password and a
confirmed authenticator (the second factor the admin asks for), so it adds that one user
to the database; it refuses a database holding commitments that are not load data.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from pages import configure_django, percentile, refuse_real_data  # noqa: E402

USERNAME = "bench-admin"


def logged_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None:
        user = get_user_model().objects.create_superuser(USERNAME, "bench@example.invalid", None)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pairs() -> list[tuple[str, str, str]]:
    """(what, the admin's URL, the public URL): no filter, one platform, one status."""
    from django.db.models import Count

    from commitments.models import Commitment, Platform, Status

    platform = (
        Platform.objects.filter(children__isnull=True)
        .annotate(n=Count("commitments"))
        .order_by("-n", "id")
        .first()
    )
    admin = "/admin/commitments/commitment/"
    found = [("no filter", admin, "/commitments/")]
    if platform is not None:
        found.append(
            (
                f"one platform ({platform.slug})",
                f"{admin}?platform={platform.slug}",
                f"/commitments/?platform={platform.slug}",
            )
        )
    found.append(
        (
            "one status (delivered)",
            f"{admin}?status__exact={Status.DELIVERED}",
            f"/commitments/?status={Status.DELIVERED}",
        )
    )
    if not Commitment.objects.exists():
        sys.exit("The database holds no commitments: run manage.py generate_load_data first.")
    return found


def timed(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    body = response.content
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed, len(body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the database (default: DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL (30)")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    configure_django(debug=False)
    refuse_real_data()
    from commitments.models import Commitment

    client = logged_in_client()
    print(f"{Commitment.objects.count():,} pledges; {args.requests} requests each, interleaved.")
    print()
    print(
        "| list | admin p50 | admin p95 | public p50 | public p95 | admin ÷ public "
        "| KB admin / public |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for what, admin_url, public_url in pairs():
        timed(client, admin_url), timed(client, public_url)
        admin, public, sizes = [], [], [0, 0]
        for _ in range(args.requests):
            (ms, sizes[0]), (other, sizes[1]) = timed(client, admin_url), timed(client, public_url)
            admin.append(ms)
            public.append(other)
        ratio = statistics.median(admin) / statistics.median(public)
        print(
            f"| {what} | {statistics.median(admin):.1f} | {percentile(admin, 95):.1f} | "
            f"{statistics.median(public):.1f} | {percentile(public, 95):.1f} | {ratio:.2f}× | "
            f"{sizes[0] // 1024} / {sizes[1] // 1024} |"
        )


if __name__ == "__main__":
    main()
