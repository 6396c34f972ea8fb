"""Safe editing: once a question has ballots, no path through Wagtail's
revisions (publishing an old revision, scheduled publishing, reverting in the
admin) deletes an option with ballots or changes the question's method; the
rest of the page stays editable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from consult.models import Ballot, ConsultationPage, Option, Question
from consult.voting import services
from consult.voting.tally import recount, stored_counts
from tests import factories
from tests.admin.test_page_form import page_data


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def fresh(page) -> ConsultationPage:
    return ConsultationPage.objects.get(pk=page.pk)


def labels(question) -> list[str]:
    return sorted(Option.objects.filter(question=question).values_list("label", flat=True))


def assert_tally_intact(question) -> None:
    _version, ballots, counts = stored_counts(question)
    assert (ballots, counts) == recount(question)
    keys = {str(pk) for pk in Option.objects.filter(question=question).values_list("pk", flat=True)}
    for content in Ballot.objects.filter(question=question).values_list("content", flat=True):
        chosen = content.get("option")
        assert chosen is None or str(chosen) in keys, "a ballot names a deleted option"


def publish(page) -> Revision:
    revision = page.save_revision()
    revision.publish()
    return revision


@pytest.fixture
def history(db):
    """Revision 1: a single-choice question with options A, B. Revision 2
    adds option C and a second question; people vote, for C too."""
    page = factories.make_consultation(
        title="Square",
        questions=[{"title": "Design?", "method": "single", "options": ["A", "B"]}],
    )
    first = publish(fresh(page))
    page = fresh(page)
    question = page.questions.get()
    question.options = [*question.options.all(), Option(label="C")]
    page.questions = [question, Question(title="Later question?", method="yes_no")]
    second = publish(page)
    question = Question.objects.get(pk=question.pk)
    c = question.options.get(label="C")
    later = Question.objects.get(title="Later question?")
    for _ in range(2):
        services.cast_ballot(factories.make_user(), question, {"option": c.pk})
    services.cast_ballot(factories.make_user(), later, {"choice": "yes"})
    return {
        "page": fresh(page),
        "first": first,
        "second": second,
        "question": question,
        "c": c,
        "later": later,
    }


def test_republishing_an_old_revision_keeps_voted_options_and_questions(history):
    history["first"].publish()

    page = fresh(history["page"])
    assert labels(history["question"]) == ["A", "B", "C"]
    assert Question.objects.filter(pk=history["later"].pk).exists()
    assert page.questions.count() == 2
    assert_tally_intact(history["question"])
    assert Ballot.objects.filter(question=history["question"]).count() == 2


def test_old_revision_cannot_change_a_locked_method(db):
    page = factories.make_consultation(questions=[{"title": "Q", "method": "yes_no"}])
    first = publish(fresh(page))
    page = fresh(page)
    question = page.questions.get()
    question.method = "single"
    question.options = [Option(label="X"), Option(label="Y")]
    page.questions = [question]
    publish(page)
    question = Question.objects.get(pk=question.pk)
    services.cast_ballot(factories.make_user(), question, {"option": question.options.first().pk})

    first.publish()

    question = Question.objects.get(pk=question.pk)
    assert question.method == "single"
    assert labels(question) == ["X", "Y"]
    assert_tally_intact(question)


def test_old_revision_still_changes_everything_else(history):
    page = fresh(history["page"])
    page.title = "Market square"
    page.intro = "<p>New intro</p>"
    questions = list(page.questions.all())
    questions[0].title = "Which design do you prefer?"
    page.questions = questions
    third = publish(page)
    history["first"].publish()  # back to the old title and question text
    page = fresh(page)
    assert page.title == "Square"
    assert Question.objects.get(pk=history["question"].pk).title == "Design?"
    third.publish()
    assert fresh(page).title == "Market square"
    assert Question.objects.get(pk=history["question"].pk).title == "Which design do you prefer?"


def test_revision_as_object_shows_what_was_voted_on(history):
    old = history["first"].as_object()
    question = next(q for q in old.questions.all() if q.pk == history["question"].pk)
    assert sorted(o.label for o in question.options.all()) == ["A", "B", "C"]


def test_unvoted_questions_still_follow_their_revision(db):
    page = factories.make_consultation(
        questions=[{"title": "Q", "method": "single", "options": ["A", "B"]}]
    )
    first = publish(fresh(page))
    page = fresh(page)
    question = page.questions.get()
    question.options = [*question.options.all(), Option(label="C")]
    page.questions = [question]
    publish(page)
    first.publish()
    assert labels(fresh(page).questions.get()) == ["A", "B"]


def test_scheduled_revision_made_before_the_vote(history):
    # Made before anyone voted: it lacks option C and the later question.
    page = history["first"].as_object()
    page.title = "Square (final)"
    page.go_live_at = timezone.now() + timedelta(hours=1)
    scheduled = page.save_revision(user=None, approved_go_live_at=page.go_live_at)
    Revision.objects.filter(pk=scheduled.pk).update(
        content={**scheduled.content, "questions": history["first"].content["questions"]},
        approved_go_live_at=timezone.now() - timedelta(minutes=1),
    )

    call_command("publish_scheduled", verbosity=0)

    page = fresh(history["page"])
    assert page.title == "Square (final)"
    assert labels(history["question"]) == ["A", "B", "C"]
    assert Question.objects.filter(pk=history["later"].pk).exists()
    assert_tally_intact(history["question"])


def test_model_guards_refuse_direct_deletes_and_changes(history):
    question, c = history["question"], history["c"]
    c.delete()
    Question.objects.get(pk=history["later"].pk).delete()
    question.method = "approval"
    question.save()
    c.label = "Renamed"
    c.save()
    Option(question=question, label="D").save()

    assert Question.objects.get(pk=question.pk).method == "single"
    assert labels(question) == ["A", "B", "C"]
    assert Question.objects.filter(pk=history["later"].pk).exists()
    assert_tally_intact(question)


def test_guards_lift_when_every_ballot_is_withdrawn(yes_no, citizen):
    services.cast_ballot(citizen, yes_no, {"choice": "yes"})
    services.retract_ballot(citizen, yes_no)
    yes_no.method = "single"
    yes_no.save()
    assert Question.objects.get(pk=yes_no.pk).method == "single"
    yes_no.delete()
    assert not Question.objects.filter(pk=yes_no.pk).exists()


# --------------------------------------------------------------------------
# Reverting in the admin.


def form_questions(form) -> list[dict]:
    """The questions and options as the editor form shows them (what a browser posts)."""
    questions = []
    for question_form in form.formsets["questions"].forms:
        instance = question_form.instance
        questions.append(
            {
                "id": instance.pk,
                "title": instance.title,
                "method": question_form.initial.get("method", instance.method),
                "options": [
                    {"id": f.instance.pk, "label": f.instance.label}
                    for f in question_form.formsets["options"].forms
                ],
            }
        )
    return questions


def test_admin_revert_shows_the_voted_options_and_keeps_them(admin_client, history):
    page = history["page"]
    url = f"/admin/pages/{page.pk}/revisions/{history['first'].pk}/revert/"
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "People have already voted on this question" in html
    shown = form_questions(response.context["form"])
    voted = next(q for q in shown if q["id"] == history["question"].pk)
    assert sorted(o["label"] for o in voted["options"]) == ["A", "B", "C"]

    data = page_data(fresh(page), shown)
    data["action-publish"] = "action-publish"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors

    assert labels(history["question"]) == ["A", "B", "C"]
    assert Question.objects.filter(pk=history["later"].pk).exists()
    assert_tally_intact(history["question"])


def test_admin_refuses_a_stale_form_missing_a_voted_option(admin_client, history):
    page = history["page"]
    stale = [
        {
            "id": history["question"].pk,
            "title": "Design?",
            "method": "single",
            "options": [
                {"id": o.pk, "label": o.label}
                for o in history["question"].options.exclude(pk=history["c"].pk)
            ],
        },
        {"id": history["later"].pk, "title": "Later question?", "method": "yes_no"},
    ]
    data = page_data(fresh(page), stale)
    data["action-publish"] = "action-publish"
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 200
    assert "People have already voted on this question" in response.content.decode()
    assert labels(history["question"]) == ["A", "B", "C"]
