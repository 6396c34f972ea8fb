"""Send what is due: phase events of consultations, daily and weekly digests.

Safe to run every minute (cron, a systemd timer) and from several machines at
once: each event and each digest is recorded under a unique constraint before
anything is sent, so a second run finds it done. The e-mails themselves go
out from background tasks (``TASKS``; with a database backend, run
``manage.py db_worker`` as well).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from consult.notifications import schedule


class Command(BaseCommand):
    help = "Announce due phase events to followers and start due digests (idempotent)."

    def handle(self, *args, **options) -> None:
        run = schedule.run()
        for event in run.phase_events:
            self.stdout.write(f"phase event: {event}")
        for (frequency, period), people in run.digests.items():
            if people:
                self.stdout.write(f"{frequency} digest {period}: {people} people")
        if options["verbosity"] > 1 or run.phase_events or any(run.digests.values()):
            self.stdout.write(
                f"{len(run.phase_events)} phase event(s), "
                f"{sum(run.digests.values())} digest(s) started."
            )
