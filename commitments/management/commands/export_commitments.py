import json
import os
import tempfile

from django.core.management.base import BaseCommand, CommandError

from commitments.exchange.exporter import dataset_export


class Command(BaseCommand):
    help = (
        "Export every initiative, platform and commitment (drafts included) as JSON in "
        "the format import_commitments reads. Writes to FILE, or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write; standard output if left out")

    def handle(self, *args, file, **options):
        text = json.dumps(dataset_export(), ensure_ascii=False, indent=2) + "\n"
        if not file:
            self.stdout.write(text, ending="")
            return
        write_atomically(file, text)
        self.stderr.write(f"Exported to {file}.")


def write_atomically(path: str, text: str) -> None:
    """Write beside the target and rename, so a failed export leaves the old file whole."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".export-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temporary, path)
    except OSError as e:
        raise CommandError(f"Cannot write {path}: {e.strerror}") from e
