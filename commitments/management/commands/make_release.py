from django.core.management.base import BaseCommand, CommandError

from commitments.followup.job_runs import recorded_run


class Command(BaseCommand):
    help = (
        "Write a dated release of the whole public dataset (published pledges only) to "
        "RELEASES_DIR: the exchange-format JSON, the CSV and a manifest of their sizes and "
        "SHA-256 checksums, listed at /data/. Never changes an earlier release: a second "
        "one the same day is numbered (2026-12-02.2). The same work as the monthly task."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-none",
            action="store_true",
            help="only if there is no release yet (make run: /data/ lists one from the start)",
        )

    def handle(self, *args, if_none, **options):
        from commitments.releases.making import ReleaseError, release_make
        from commitments.releases.store import releases_dir, releases_list

        if if_none:
            existing = releases_list()
            if existing:
                self.stdout.write(f"A release exists already ({existing[0].name}): none written.")
                return

        try:
            with recorded_run("make_release") as run:
                release = release_make()
                run.last_summary = release.summary()
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        folder = releases_dir() / release.name
        self.stdout.write(f"Wrote release {release.name} to {folder}: {release.counts_text}.")
        for written in [*release.files, release.manifest]:
            self.stdout.write(f"  {written.name}: {written.size} bytes, SHA-256 {written.sha256}")
