"""Unlink participation from accounts once consultations are long closed.

Deletes the records of who voted on the questions of consultations whose
voting closed more than ``CONSULT["PARTICIPATION_RETENTION_DAYS"]`` days ago
(or ``--days``). Ballots and tallies stay; run it daily from cron.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from consult import conf
from consult.personal_data import services


class Command(BaseCommand):
    help = "Delete who-voted records N days after a consultation's voting closed."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Overrides PARTICIPATION_RETENTION_DAYS.")

    def handle(self, *args, days=None, **options):
        days = days if days is not None else conf.get("PARTICIPATION_RETENTION_DAYS")
        if days is None:
            self.stdout.write("PARTICIPATION_RETENTION_DAYS is not set: nothing to do.")
            return
        if days < 0:
            raise CommandError("--days must not be negative.")
        removed = services.unlink_closed(days)
        self.stdout.write(f"{removed} participation records unlinked.")
