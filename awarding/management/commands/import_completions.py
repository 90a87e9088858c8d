"""Import lab completions, course completions and exam attempts from a CSV file."""

from django.core.management.base import BaseCommand, CommandError

from awarding.importing import COLUMNS, ImportFileError, completions_import


class Command(BaseCommand):
    help = (
        "Import completion records from CSV with the columns "
        f"{','.join(COLUMNS)} (see awarding/importing.py). Bad rows are reported with their "
        "line number and reason and not written; good rows are written; importing the same "
        "file twice adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                report = completions_import(file=handle)
        except (OSError, UnicodeDecodeError, ImportFileError) as error:
            raise CommandError(f"Cannot import {file}: {error}") from error
        for line, reason in report.errors:
            self.stderr.write(f"line {line}: {reason}")
        self.stdout.write(
            f"Read {report.rows} row(s), refused {len(report.errors)}. Written: "
            f"{report.lab_completions} lab completion(s), {report.exam_attempts} exam attempt(s), "
            f"{report.enrollments_completed} enrollment(s) completed, "
            f"{report.assignments_completed} assignment(s) completed. "
            "Rows already recorded add nothing; the badges they earn are issued as their "
            "students are re-evaluated (or by the next sweep)."
        )
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} row(s) were refused and not written (see above)."
            )
