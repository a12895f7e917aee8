"""Remove a member of staff's second factor (a lost phone and lost recovery codes), so
that they add a new authenticator app at their next login."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from commitments.staff import second_factor_required
from commitments.staff_login.devices import second_factor_remove


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes; they add a new app at "
        "their next login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        removed = second_factor_remove(user=user)
        if not removed:
            self.stdout.write(f"{username} has no second factor: nothing to remove.")
            return
        then = (
            "At their next login they will be asked to add a new authenticator app."
            if second_factor_required(user)
            else "They log in with their password alone until they add a new one."
        )
        self.stdout.write(
            f"Removed {username}'s second factor ({removed} device(s): authenticator app, "
            f"recovery codes). {then} If the phone was lost or stolen, change the password "
            f"too (python manage.py changepassword {username}); if they are locked out: "
            f"python manage.py axes_reset_username {username}"
        )
