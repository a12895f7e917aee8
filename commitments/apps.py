from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Commitments"

    def ready(self):
        # A completed staff login clears its earlier failed attempts (a signal receiver).
        from commitments.staff_login import lockout  # noqa: F401
