"""Give a fresh set-up its first staff login, and show its password and second factor once.

`make run` calls this after migrating, so a new machine comes up with a way into the
admin; later runs find the superuser and print no secret. A superuser must pass a second
factor (commitments.staff.second_factor_required), and a terminal has no page to add an
authenticator app on, so the login comes with one made here: its setup key and otpauth://
address, for an app, and ten recovery codes, each of which works once in place of the
app's code (enough to log in without any app, and then add one at /admin/second-factor/).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from commitments.staff import REVIEWERS
from commitments.staff_login.devices import second_factor_create, secret_of


class Command(BaseCommand):
    help = (
        "Create a superuser with a random password and a second factor when none exists, "
        "and print them once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default="admin", help="name of the login to create (default: admin)"
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        existing = User._default_manager.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            name = existing.get_username()
            self.stdout.write(
                f"A staff login already exists ({name}). To reset its password: "
                f"python manage.py changepassword {name}; to remove its lost second factor "
                f"(a new one is added at the next login): "
                f"python manage.py remove_second_factor {name}"
            )
            return
        if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            raise CommandError(
                f"A user named {username!r} exists but is not a superuser; "
                "choose another name with --username."
            )
        password = secrets.token_urlsafe(16)
        user = User._default_manager.create_superuser(
            **{User.USERNAME_FIELD: username}, email=f"{username}@localhost", password=password
        )
        # A Reviewer, so that the reminder digests of unowned pledges reach someone.
        reviewers = Group.objects.filter(name=REVIEWERS).first()
        if reviewers:
            user.groups.add(reviewers)
        device, codes = second_factor_create(user=user)
        site = settings.SITE_URL.rstrip("/")
        login_url = site + reverse("admin:index")
        self.stdout.write(
            f"Staff login for {login_url}: {username} / {password} "
            f"(shown once; change it with: python manage.py changepassword {username})\n"
            f"After the password it asks for a second factor, shown once too:\n"
            f"  - a code from an authenticator app (FreeOTP, Aegis, Google Authenticator, a "
            f"password manager...): add this setup key to it (time-based, 6 digits)\n"
            f"      {secret_of(device)}\n"
            f"    or open this address on the device with the app:\n"
            f"      {device.config_url}\n"
            f"  - or one of these recovery codes, each of which works once:\n"
            f"      {' '.join(codes)}\n"
            f"  Once logged in, {site}{reverse('second_factor:status')} adds a new app (with "
            f"a QR code) and makes new recovery codes."
        )
