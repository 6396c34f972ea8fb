import pytest
from django.core.management import CommandError, call_command

from consult.models import TallyCount
from consult.voting import services
from consult.voting.tally import recount, stored_counts
from tests import factories


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("consult_recount", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def voted(consultation, yes_no):
    for choice in ("yes", "yes", "no"):
        services.cast_ballot(factories.make_user(), yes_no, {"choice": choice})
    return yes_no


def test_clean_tallies_pass(voted):
    status, out, _err = run()
    assert status == 0
    assert "2 question(s) match their recount." in out


def test_difference_is_reported_and_fixed(voted):
    TallyCount.objects.filter(question=voted, key="yes").update(votes=7)

    status, out, err = run("--question", str(voted.pk))
    assert status == 1
    assert "yes: stored (7, 0), recount (2, 0)" in out
    assert "1 difference(s) found" in err
    assert stored_counts(voted)[2]["yes"] == (7, 0)  # nothing changed without --fix

    status, _out, err = run("--fix")
    assert status == 1
    assert "fixed" in err
    assert stored_counts(voted)[1:] == recount(voted)
    assert run()[0] == 0


def test_unknown_question(db):
    with pytest.raises(CommandError):
        call_command("consult_recount", "--question", "424242")
