from django.core.management.base import BaseCommand, CommandError

from commitments.exchange.importer import dataset_import
from commitments.exchange.schema import MAX_FILE_BYTES
from commitments.exchange.validation import DatasetError, read_dataset
from commitments.models import Commitment

PROGRESS_EVERY = 500


class Command(BaseCommand):
    help = (
        "Import initiatives, platforms and commitments from a JSON file in the format of "
        "data/README.md, of at most "
        f"{MAX_FILE_BYTES / 2**20:g} MiB. All or nothing: one bad record writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON file")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds commitments "
            "(make run uses it so that staff edits are never overwritten)",
        )

    def handle(self, *args, file, dry_run, if_empty, **options):
        if if_empty and Commitment.objects.exists():
            self.stdout.write("The database already holds commitments; nothing imported.")
            return
        try:
            report = dataset_import(
                data=read_dataset(file), origin=file, dry_run=dry_run, progress=self.progress
            )
        except DatasetError as e:
            lines = "\n".join(f"  {problem}" for problem in e.problems)
            raise CommandError(f"Nothing was imported from {file}:\n{lines}") from e

        if not report.changed:
            self.stdout.write(f"Nothing to change: the database already matches {file}.")
            return
        heading = "Dry run, nothing written. Would change:" if dry_run else f"Imported {file}:"
        self.stdout.write(heading)
        for line in report.summary():
            self.stdout.write(f"  {line}")

    def progress(self, done: int, total: int) -> None:
        if total >= PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
            self.stderr.write(f"  {done}/{total} commitments ({done * 100 // total}%)")
