"""Editors in the Wagtail admin: creating consultations, and the lock on
questions that already have ballots."""

import re

import pytest
from django.contrib.auth import get_user_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from consult.models import ConsultationPage, Option, Question
from consult.voting import services
from tests import factories

ADMIN_DT = "%Y-%m-%d %H:%M"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def page_data(page, questions):
    """POST data of the page editor for ``page`` with ``questions``:
    dicts of question fields with ``options`` lists (dicts of option fields)."""

    def dt(value):
        return value.strftime(ADMIN_DT) if value else ""

    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": rich_text(""),
            "body": streamfield([]),
            "eligibility": streamfield([]),
            "proposals_open_at": dt(page.proposals_open_at),
            "proposals_close_at": dt(page.proposals_close_at),
            "voting_open_at": dt(page.voting_open_at),
            "voting_close_at": dt(page.voting_close_at),
            "results_visibility": page.results_visibility,
            "ballot_secrecy": page.ballot_secrecy,
            "allow_vote_change": "on",
            "comments_enabled": "on",
            "moderation": page.moderation,
            "questions": inline_formset(
                [
                    {
                        "title": "",
                        "description": "",
                        "method": "yes_no",
                        "min_choices": "1",
                        "max_choices": "",
                        "max_score": "5",
                        "budget": "",
                        **{k: v for k, v in q.items() if k != "options"},
                        "options": inline_formset(
                            [{"description": "", "cost": "0", **o} for o in q.get("options", [])],
                            initial=sum(1 for o in q.get("options", []) if o.get("id")),
                        ),
                    }
                    for q in questions
                ],
                initial=sum(1 for q in questions if q.get("id")),
            ),
        }
    )


def current_questions(page):
    return [
        {
            "id": q.pk,
            "title": q.title,
            "method": q.method,
            "options": [{"id": o.pk, "label": o.label} for o in q.options.all()],
        }
        for q in page.questions.all()
    ]


def edit(admin_client, page, questions, publish=True):
    data = page_data(page, questions)
    if publish:
        data["action-publish"] = "action-publish"
    return admin_client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_editor_creates_consultation_with_nested_questions(admin_client):
    index = factories.make_index()
    page = ConsultationPage(title="Park", slug="park")
    data = page_data(
        page,
        [
            {"title": "Open the park at night?", "method": "yes_no"},
            {
                "title": "Which trees?",
                "method": "single",
                "options": [{"label": "Oaks"}, {"label": "Limes"}],
            },
        ],
    )
    data["action-publish"] = "action-publish"

    response = admin_client.post(f"/admin/pages/add/consult/consultationpage/{index.pk}/", data)

    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    created = ConsultationPage.objects.get(slug="park")
    assert created.live
    assert [q.method for q in created.questions.all()] == ["yes_no", "single"]
    assert [o.label for o in created.questions.get(method="single").options.all()] == [
        "Oaks",
        "Limes",
    ]


def test_method_needs_enough_options(admin_client):
    page = factories.make_consultation(questions=[{"title": "Pick", "method": "yes_no"}])
    questions = current_questions(page)
    questions[0]["method"] = "single"
    questions[0]["options"] = [{"label": "Only one"}]

    response = edit(admin_client, page, questions)

    assert response.status_code == 200
    assert "needs at least 2 options" in response.content.decode()
    assert Question.objects.get(pk=questions[0]["id"]).method == "yes_no"


@pytest.fixture
def voted_page(db):
    page = factories.make_consultation(
        questions=[{"title": "Design?", "method": "single", "options": ["A", "B"]}]
    )
    question = factories.first_question(page)
    services.cast_ballot(factories.make_user(), question, {"option": question.options.first().pk})
    return page


def test_locked_question_shows_why(admin_client, voted_page):
    html = admin_client.get(f"/admin/pages/{voted_page.pk}/edit/").content.decode()
    assert "People have already voted on this question" in html


def test_locked_question_ignores_method_change(admin_client, voted_page):
    questions = current_questions(voted_page)
    questions[0]["method"] = "yes_no"
    questions[0]["title"] = "Which design do you prefer?"

    response = edit(admin_client, voted_page, questions)

    assert response.status_code == 302
    question = Question.objects.get(pk=questions[0]["id"])
    assert question.method == "single"  # the disabled field keeps its value
    assert question.title == "Which design do you prefer?"  # the rest stays editable


def test_locked_question_keeps_its_limits(admin_client, voted_page):
    """Ballots were checked against the limits, and the published log's
    first hash covers them: they stay as they were once people have voted."""
    before = Question.objects.get(page=voted_page)
    questions = current_questions(voted_page)
    questions[0].update(min_choices=2, max_choices=2, max_score=9, budget=500)

    response = edit(admin_client, voted_page, questions)

    assert response.status_code == 302
    after = Question.objects.get(pk=before.pk)
    fields = ("min_choices", "max_choices", "max_score", "budget")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]


@pytest.mark.parametrize("change", ["delete_option", "add_option", "delete_question"])
def test_locked_question_refuses_option_changes(admin_client, voted_page, change):
    questions = current_questions(voted_page)
    if change == "delete_option":
        questions[0]["options"][1]["DELETE"] = "1"
    elif change == "add_option":
        questions[0]["options"].append({"label": "C"})
    else:
        questions[0]["DELETE"] = "1"

    response = edit(admin_client, voted_page, questions)

    assert response.status_code == 200  # the editor is shown the form again
    assert "People have already voted on this question" in response.content.decode()
    question = Question.objects.get(pk=questions[0]["id"])
    assert sorted(Option.objects.filter(question=question).values_list("label", flat=True)) == [
        "A",
        "B",
    ]


def test_phase_dates_must_be_in_order(admin_client):
    page = factories.make_consultation()
    page.voting_close_at = page.voting_open_at
    response = edit(admin_client, page, current_questions(page))
    assert response.status_code == 200
    assert "The phase must end after it starts." in response.content.decode()


@pytest.fixture
def hidden_page(voted_page):
    voted_page.results_visibility = "hidden"
    voted_page.save()
    return voted_page


def test_hidden_results_need_the_permission(client, hidden_page):
    from django.contrib.auth.models import Group, Permission

    staff = get_user_model().objects.create_user("clerk", "clerk@example.org", "pw")
    editors = Group.objects.get_or_create(name="Results readers")[0]
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    staff.groups.add(editors)
    client.force_login(staff)
    url = f"/admin/consult/results/{hidden_page.pk}/"

    refused = client.get(url)
    assert (refused.status_code, refused.get("Location")) == (302, "/admin/")
    public = client.get(f"/consult/api/v1/questions/{hidden_page.questions.first().pk}/tally/")
    assert public.status_code == 403

    editors.permissions.add(Permission.objects.get(codename="view_results"))
    staff = get_user_model().objects.get(pk=staff.pk)  # fresh permission cache
    client.force_login(staff)
    html = client.get(url).content.decode()
    assert "Design?" in html
    assert re.search(r"<td[^>]*data-votes[^>]*>1</td>", html)


def test_results_button_in_page_header(admin_client, hidden_page):
    html = admin_client.get(f"/admin/pages/{hidden_page.pk}/edit/").content.decode()
    assert f"/admin/consult/results/{hidden_page.pk}/" in html
