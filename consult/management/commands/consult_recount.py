"""Recount every tally from the stored ballots and report any difference.

Exit status 1 when a stored tally differs from its recount (after repairing
it, with ``--fix``), so monitoring can alert on it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from consult.models import Question, Tally, TallyCount
from consult.voting.tally import recount, stored_counts


class Command(BaseCommand):
    help = "Recount tallies from stored ballots, report differences (exit 1), optionally fix."

    def add_arguments(self, parser):
        parser.add_argument("--question", type=int, help="Recount only this question id.")
        parser.add_argument(
            "--fix", action="store_true", help="Replace differing tallies by the recount."
        )

    def handle(self, *args, question=None, fix=False, **options):
        questions = Question.objects.order_by("pk")
        if question is not None:
            questions = questions.filter(pk=question)
            if not questions.exists():
                raise CommandError(f"No question with id {question}.")
        differences = 0
        for q in questions.iterator():
            differences += self.check_question(q, fix)
        checked = questions.count()
        if differences:
            verb = "fixed" if fix else "found"
            self.stderr.write(f"{differences} difference(s) {verb} in {checked} question(s).")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"{checked} question(s) match their recount."))

    def check_question(self, question: Question, fix: bool) -> int:
        with transaction.atomic():
            # Lock the tally row: no ballot of this question commits meanwhile,
            # so stored counters and ballots are read in one consistent state.
            Tally.objects.select_for_update().filter(question=question).first()
            _version, ballots, counts = stored_counts(question)
            expected_ballots, expected = recount(question)
            problems = []
            if ballots != expected_ballots:
                problems.append(f"ballots: stored {ballots}, recount {expected_ballots}")
            for key in sorted(set(counts) | set(expected)):
                got, want = counts.get(key, (0, 0)), expected.get(key, (0, 0))
                if got != want:
                    problems.append(f"{key}: stored {got}, recount {want}")
            for problem in problems:
                self.stdout.write(f"question {question.pk} ({question.title}): {problem}")
            if problems and fix:
                self.replace(question, expected_ballots, expected)
            return len(problems)

    @staticmethod
    def replace(question: Question, ballots: int, counts: dict[str, tuple[int, int]]) -> None:
        tally, _created = Tally.objects.get_or_create(question=question)
        tally.ballots = ballots
        tally.version += 1  # the state changed: viewers must not keep the old one
        tally.save(update_fields=["ballots", "version"])
        TallyCount.objects.filter(question=question).delete()
        TallyCount.objects.bulk_create(
            TallyCount(question=question, key=key, votes=votes, total=total)
            for key, (votes, total) in counts.items()
        )
