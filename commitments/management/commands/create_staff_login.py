"""Give a fresh set-up its first staff login, and show the password once.

`make run` calls this after migrating, so a new machine comes up with a way into the
admin; later runs find the superuser and print no password.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from commitments.staff import REVIEWERS


class Command(BaseCommand):
    help = "Create a superuser with a random password when none exists, and print it once."

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
                f"python manage.py changepassword {name}"
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
        login_url = settings.SITE_URL.rstrip("/") + reverse("admin:index")
        self.stdout.write(
            f"Staff login for {login_url}: {username} / {password} "
            f"(shown once; change it with: python manage.py changepassword {username})"
        )
