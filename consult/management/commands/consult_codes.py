"""Voting codes for a consultation: ``consult_codes generate PAGE_ID --count N --out FILE.csv``.

The codes are written to the CSV once, in clear, for printing; the database
keeps only their salted digests. ``consult_codes revoke BATCH_ID`` voids a batch.
"""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand, CommandError

from consult.eligibility import codes
from consult.models import ConsultationPage, VotingCodeBatch


class Command(BaseCommand):
    help = "Generate or revoke single-person voting codes."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        generate = commands.add_parser("generate", help="Generate a batch of codes.")
        generate.add_argument("page_id", type=int)
        generate.add_argument("--count", type=int, required=True)
        generate.add_argument("--out", required=True, help="CSV file to write the codes to.")
        generate.add_argument("--name", default="", help="A name for the batch.")
        revoke = commands.add_parser("revoke", help="Void every code of a batch.")
        revoke.add_argument("batch_id", type=int)

    def handle(self, *args, action: str, **options):
        if action == "revoke":
            batch = VotingCodeBatch.objects.filter(pk=options["batch_id"]).first()
            if batch is None:
                raise CommandError(f"No batch with id {options['batch_id']}.")
            codes.revoke(batch)
            self.stdout.write(f"Batch {batch.pk} revoked.")
            return
        page = ConsultationPage.objects.filter(pk=options["page_id"]).first()
        if page is None:
            raise CommandError(f"No consultation with id {options['page_id']}.")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        try:
            out = open(options["out"], "x", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {options['out']}: {error}") from error
        with out:
            generated = codes.generate(page, options["count"], name=options["name"])
            writer = csv.writer(out)
            writer.writerow(["batch", "code"])
            for code in generated.codes:
                writer.writerow([generated.batch.pk, code])
        self.stdout.write(
            f"Batch {generated.batch.pk}: {len(generated.codes)} codes written to {options['out']}."
        )
