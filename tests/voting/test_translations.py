"""Translated consultations (Wagtail locales) share ballots with their
original: one vote per person per question across languages, tallies kept on
the original's questions and shown in each language's own words."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale

from consult.exceptions import AlreadyVoted, TranslationOutOfDate
from consult.models import Ballot, ConsultationPage, Option, Participation, Question
from consult.voting import services, translations
from consult.voting.tally import tally_payload
from tests import factories
from tests.admin.test_page_form import page_data


@pytest.fixture
def i18n(settings):
    settings.WAGTAIL_I18N_ENABLED = True
    return Locale.objects.get_or_create(language_code="fr")[0]


@pytest.fixture
def original(db):
    return factories.make_consultation(
        title="Market square",
        allow_vote_change=False,
        questions=[
            {"title": "Car-free square?", "method": "yes_no"},
            {"title": "Which design?", "method": "single", "options": ["Green", "Hall", "Plaza"]},
            {"title": "Rank them", "method": "ranked", "options": ["Green", "Hall", "Plaza"]},
        ],
    )


def translate(page, locale) -> ConsultationPage:
    """What "Translate" in the admin does, then the translator's words, published."""
    translation = page.copy_for_translation(locale, copy_parents=True)
    translation.title = "Place du marché"
    words = {"Car-free square?": "Place sans voitures ?", "Which design?": "Quel projet ?"}
    labels = {"Green": "Vert", "Hall": "Halle", "Plaza": "Esplanade"}
    questions = list(translation.questions.all())
    for question in questions:
        question.title = words.get(question.title, question.title)
        question.options = [
            Option(pk=o.pk, label=labels[o.label], sort_order=o.sort_order)
            for o in question.options.all()
        ]
    translation.questions = questions
    translation.save_revision().publish()
    return ConsultationPage.objects.get(pk=translation.pk)


@pytest.fixture
def french(original, i18n):
    return translate(original, i18n)


def question(page, method) -> Question:
    return page.questions.select_related("page").get(method=method)


def test_translation_maps_to_the_original(original, french):
    assert translations.source_page(french).pk == original.pk
    assert translations.source_page(original).pk == original.pk
    assert translations.is_translation(french) and not translations.is_translation(original)
    assert translations.has_translations(original)
    for method in ("yes_no", "single", "ranked"):
        shared = translations.shared_question(question(french, method))
        assert shared.pk == question(original, method).pk
    mine, theirs = question(french, "single"), question(original, "single")
    assert translations.option_map(mine, theirs) == dict(
        zip(
            mine.options.order_by("sort_order").values_list("pk", flat=True),
            theirs.options.order_by("sort_order").values_list("pk", flat=True),
            strict=True,
        )
    )


def test_a_ballot_in_french_counts_on_the_original(french, original, citizen):
    fr_single = question(french, "single")
    halle = fr_single.options.get(label="Halle")
    result = services.cast_ballot(citizen, fr_single, {"option": halle.pk})

    source = question(original, "single")
    hall = source.options.get(label="Hall")
    assert result.created and result.content == {"option": halle.pk}
    assert Ballot.objects.get(question=source).content == {"option": hall.pk}
    assert Participation.objects.filter(question=source, voter=citizen).exists()
    assert not Ballot.objects.filter(question=fr_single).exists()
    assert not Participation.objects.filter(question=fr_single).exists()


def test_one_vote_per_person_across_languages(french, original, citizen):
    services.cast_ballot(citizen, question(french, "yes_no"), {"choice": "yes"})
    with pytest.raises(AlreadyVoted):
        services.cast_ballot(citizen, question(original, "yes_no"), {"choice": "no"})
    with pytest.raises(AlreadyVoted):
        services.cast_ballot(citizen, question(french, "yes_no"), {"choice": "no"})
    assert tally_payload(question(original, "yes_no"))["ballots"] == 1


def test_the_tally_reads_in_each_language(french, original):
    source = question(original, "single")
    hall = source.options.get(label="Hall")
    for _ in range(2):
        services.cast_ballot(factories.make_user(), source, {"option": hall.pk})
    fr_single = question(french, "single")
    halle = fr_single.options.get(label="Halle")
    services.cast_ballot(factories.make_user(), fr_single, {"option": halle.pk})

    english = {e["label"]: e["votes"] for e in translations.tally(source)["results"]}
    payload = translations.tally(fr_single)
    assert payload["question"] == fr_single.pk
    assert {e["label"]: e["votes"] for e in payload["results"]} == {
        "Vert": 0,
        "Halle": 3,
        "Esplanade": 0,
    }
    assert english == {"Green": 0, "Hall": 3, "Plaza": 0}
    assert {e["key"] for e in payload["results"]} == {
        str(pk) for pk in fr_single.options.values_list("pk", flat=True)
    }
    assert translations.turnout(fr_single)["ballots"] == 3


def test_ranked_rounds_and_winner_use_the_translations_keys(french, original):
    fr_ranked = question(french, "ranked")
    vert, halle, _esplanade = fr_ranked.options.order_by("sort_order")
    services.cast_ballot(factories.make_user(), fr_ranked, {"ranking": [halle.pk, vert.pk]})
    services.cast_ballot(factories.make_user(), fr_ranked, {"ranking": [str(halle.pk)]})
    payload = translations.tally(fr_ranked)
    assert payload["winner"] == str(halle.pk)
    assert set(payload["rounds"][0]["counts"]) <= {
        str(pk) for pk in fr_ranked.options.values_list("pk", flat=True)
    }


def test_own_ballot_comes_back_in_the_translations_ids(french, citizen):
    french.ballot_secrecy = "public"
    french.save()
    source = translations.source_page(french)
    source.ballot_secrecy = "public"
    source.save()
    fr_single = question(french, "single")
    esplanade = fr_single.options.get(label="Esplanade")
    services.cast_ballot(citizen, fr_single, {"option": esplanade.pk})
    assert services.own_ballot(citizen, fr_single) == {"option": esplanade.pk}


def test_scores_and_approvals_are_mapped(db, i18n):
    page = factories.make_consultation(
        questions=[
            {"title": "Rate", "method": "score", "options": ["A", "B"], "max_score": 5},
            {"title": "Pick", "method": "approval", "options": ["A", "B"], "max_choices": 2},
        ]
    )
    fr = page.copy_for_translation(i18n, copy_parents=True)
    fr.save_revision().publish()
    fr = ConsultationPage.objects.get(pk=fr.pk)
    rate, pick = question(fr, "score"), question(fr, "approval")
    a, b = rate.options.order_by("sort_order")
    voter = factories.make_user()
    services.cast_ballot(voter, rate, {"scores": {str(a.pk): 4, str(b.pk): 1}})
    services.cast_ballot(voter, pick, {"options": [pick.options.order_by("sort_order").last().pk]})
    source_rate = question(page, "score")
    sa, sb = source_rate.options.order_by("sort_order")
    assert Ballot.objects.get(question=source_rate).content["scores"] == {
        str(sa.pk): 4,
        str(sb.pk): 1,
    }
    source_pick = question(page, "approval")
    assert Ballot.objects.get(question=source_pick).content == {
        "options": [source_pick.options.order_by("sort_order").last().pk]
    }
    entries = {e["key"]: e for e in translations.tally(rate)["results"]}
    assert entries[str(a.pk)]["sum"] == 4


def test_a_question_only_in_the_translation_has_its_own_ballots(french, citizen):
    for position, existing in enumerate(french.questions.order_by("pk")):
        Question.objects.filter(pk=existing.pk).update(sort_order=position)
    extra = Question(page=french, title="Question locale", method="yes_no", sort_order=99)
    extra.save()
    assert translations.shared_question(extra).pk == extra.pk
    services.cast_ballot(citizen, extra, {"choice": "yes"})
    assert Ballot.objects.filter(question=extra).count() == 1


def test_an_out_of_date_translation_refuses_ballots(french, citizen):
    fr_single = question(french, "single")
    Question.objects.filter(pk=fr_single.pk).update(method="approval")
    with pytest.raises(TranslationOutOfDate) as refused:
        services.cast_ballot(citizen, Question.objects.get(pk=fr_single.pk), {"options": []})
    assert refused.value.code == "translation_out_of_date"
    assert not Ballot.objects.exists()


def test_source_functions_are_idempotent(original, citizen):
    single = question(original, "single")
    assert translations.resolve_ballot(single, {"option": 1}) == (single, {"option": 1})
    assert translations.tally(single) == tally_payload(single)


# --------------------------------------------------------------------------
# The page editor keeps the shared structure.


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def shown_questions(page) -> list[dict]:
    return [
        {
            "id": q.pk,
            "title": q.title,
            "method": q.method,
            "options": [{"id": o.pk, "label": o.label} for o in q.options.order_by("sort_order")],
        }
        for q in page.questions.order_by("sort_order")
    ]


def post(admin_client, page, questions):
    data = page_data(page, questions)
    data["action-publish"] = "action-publish"
    return admin_client.post(f"/admin/pages/{page.pk}/edit/", data)


def test_translators_translate_words(admin_client, french):
    questions = shown_questions(french)
    questions[1]["title"] = "Quel aménagement ?"
    questions[1]["options"][0]["label"] = "Jardin"
    response = post(admin_client, french, questions)
    assert response.status_code == 302
    assert Question.objects.get(pk=questions[1]["id"]).title == "Quel aménagement ?"
    assert Option.objects.get(pk=questions[1]["options"][0]["id"]).label == "Jardin"


def test_translation_editor_explains_and_locks_the_method(admin_client, french):
    html = admin_client.get(f"/admin/pages/{french.pk}/edit/").content.decode()
    assert "This consultation is a translation" in html


@pytest.mark.parametrize("change", ["add_option", "delete_option", "add_question", "reorder"])
def test_translations_cannot_change_the_structure(admin_client, french, change):
    questions = shown_questions(french)
    if change == "add_option":
        questions[1]["options"].append({"label": "Fontaine"})
    elif change == "delete_option":
        questions[1]["options"][2]["DELETE"] = "1"
    elif change == "add_question":
        questions.append({"title": "Encore ?", "method": "yes_no"})
    else:
        questions[0], questions[1] = questions[1], questions[0]
    response = post(admin_client, french, questions)
    assert response.status_code == 200
    assert "This consultation is a translation" in response.content.decode()
    assert shown_questions(ConsultationPage.objects.get(pk=french.pk)) == shown_questions(french)


@pytest.mark.parametrize("change", ["delete_question", "reorder", "insert_first"])
def test_the_original_keeps_the_positions_translations_use(admin_client, original, french, change):
    questions = shown_questions(original)
    if change == "delete_question":
        questions[0]["DELETE"] = "1"
    elif change == "reorder":
        questions[0], questions[1] = questions[1], questions[0]
    else:
        questions.append({"title": "New first?", "method": "yes_no", "ORDER": "-1"})
    response = post(admin_client, original, questions)
    assert response.status_code == 200
    assert "This consultation has translations that share its ballots" in response.content.decode()


def test_the_original_may_add_questions_at_the_end(admin_client, original, french):
    questions = [*shown_questions(original), {"title": "One more?", "method": "yes_no"}]
    response = post(admin_client, original, questions)
    assert response.status_code == 302
    assert original.questions.count() == 4
    assert translations.shared_question(question(french, "ranked")).title == "Rank them"


def test_live_results_block_on_a_translation_shows_the_shared_tally(french, original):
    import re

    from consult.blocks import LiveResultsBlock
    from tests.blocks.test_blocks import render

    source = question(original, "single")
    services.cast_ballot(factories.make_user(), source, {"option": source.options.first().pk})
    fr_single = question(french, "single")
    html = render(LiveResultsBlock, {"question": fr_single.pk, "heading": ""})
    vert = fr_single.options.get(label="Vert")
    assert re.search(
        rf'<tr data-key="{vert.pk}">\s*<th scope="row">Vert</th>\s*<td[^>]*>1</td>', html
    )


def test_dashboard_of_a_translation_points_to_the_original(admin_client, french, original):
    html = admin_client.get(f"/admin/consult/results/{french.pk}/").content.decode()
    assert "its ballots are counted on the original" in html
    assert f"/admin/consult/results/{original.pk}/" in html
    assert (
        "counted on the original"
        not in admin_client.get(f"/admin/consult/results/{original.pk}/").content.decode()
    )
