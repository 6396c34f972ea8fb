"""Import a census from a CSV file: ``consult_census import NAME FILE.csv ...``.

Only keyed digests of identifier and birth date are stored (see
``consult.eligibility.census``); the file itself is read once, as a stream.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from consult.eligibility import census
from consult.models import Census


class Command(BaseCommand):
    help = "Import a census (CSV) into the named census, creating it if needed."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("import", help="Import rows from a CSV file.")
        load.add_argument("name", help="The census's name, as rules name it.")
        load.add_argument("file", help="CSV file with a header row (UTF-8).")
        load.add_argument("--identifier-column", required=True)
        load.add_argument("--birth-date-column", required=True, help="ISO dates (YYYY-MM-DD).")
        load.add_argument("--postcode-column")
        load.add_argument("--delimiter", default=",")
        load.add_argument(
            "--replace",
            action="store_true",
            help="Make the census exactly this file: entries not in it are removed.",
        )

    def handle(self, *args, action: str, **options):
        record, _created = Census.objects.get_or_create(name=options["name"])
        columns = census.Columns(
            options["identifier_column"], options["birth_date_column"], options["postcode_column"]
        )

        def progress(report: census.Report) -> None:
            self.stderr.write(f"{report.read} rows read, {report.rejected} rejected")

        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                report = census.import_census(
                    record,
                    stream,
                    columns,
                    replace=options["replace"],
                    delimiter=options["delimiter"],
                    progress=progress,
                )
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        for line, reason in report.rejections:
            self.stderr.write(f"line {line}: {reason}")
        self.stdout.write(
            f"{record.name}: {report.read} rows read, {report.rejected} rejected, "
            f"{report.entries} entries."
        )
