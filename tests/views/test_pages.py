"""The citizen-facing pages, exercised as a browser without JavaScript would."""

import pytest
from django.test import Client

from consult.models import Ballot
from consult.voting import services
from tests import factories


@pytest.fixture
def logged_in(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def test_page_renders_questions_results_and_metadata(consultation, client):
    response = client.get(consultation.url)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Car-free square?" in html and "Which design?" in html
    assert 'property="og:title"' in html and 'name="twitter:card"' in html
    assert 'aria-live="polite"' in html
    assert f'data-ws-path="/ws/consult/consultations/{consultation.pk}/"' in html
    assert "Sign in to vote" in html  # anonymous visitors get a way in
    assert 'action="/consult/questions/' not in html  # ...but no ballot form


def test_vote_by_plain_form_post(consultation, single, logged_in):
    hall = single.options.get(label="Hall")

    response = logged_in.post(
        f"/consult/questions/{single.pk}/vote/", {f"q{single.pk}-option": hall.pk}, follow=True
    )
    html = response.content.decode()

    assert response.redirect_chain[-1][0].endswith(f"{consultation.url}#question-{single.pk}")
    assert "your vote has been counted" in html
    assert f'<tr data-key="{hall.pk}">' in html
    assert Ballot.objects.get(question=single).content == {"option": hall.pk}
    assert "Withdraw my vote" in html


def test_changing_and_withdrawing_by_form(consultation, yes_no, logged_in):
    url = f"/consult/questions/{yes_no.pk}/"
    logged_in.post(f"{url}vote/", {f"q{yes_no.pk}-choice": "yes"})
    changed = logged_in.post(f"{url}vote/", {f"q{yes_no.pk}-choice": "no"}, follow=True)
    assert "Your vote has been changed." in changed.content.decode()
    assert Ballot.objects.get(question=yes_no).content == {"choice": "no"}

    withdrawn = logged_in.post(f"{url}retract/", follow=True)
    assert "Your vote has been withdrawn." in withdrawn.content.decode()
    assert not Ballot.objects.filter(question=yes_no).exists()


def test_empty_or_invalid_form_posts_explain_and_save_nothing(consultation, yes_no, logged_in):
    empty = logged_in.post(f"/consult/questions/{yes_no.pk}/vote/", {}, follow=True)
    bogus = logged_in.post(
        f"/consult/questions/{yes_no.pk}/vote/", {f"q{yes_no.pk}-choice": "maybe"}, follow=True
    )
    assert "Please make a choice before you vote." in empty.content.decode()
    assert "must be" in bogus.content.decode()
    assert not Ballot.objects.exists()


def test_anonymous_form_post_is_refused(consultation, yes_no, client):
    response = client.post(
        f"/consult/questions/{yes_no.pk}/vote/", {f"q{yes_no.pk}-choice": "yes"}, follow=True
    )
    assert "You need to sign in first." in response.content.decode()
    assert not Ballot.objects.exists()


def test_vote_endpoint_only_accepts_post(yes_no, logged_in):
    assert logged_in.get(f"/consult/questions/{yes_no.pk}/vote/").status_code == 405


def test_public_ballot_is_preselected_secret_is_not(consultation, yes_no, citizen, logged_in):
    logged_in.post(f"/consult/questions/{yes_no.pk}/vote/", {f"q{yes_no.pk}-choice": "abstain"})
    secret_html = logged_in.get(consultation.url).content.decode()
    consultation.ballot_secrecy = "public"
    consultation.save()
    public_html = logged_in.get(consultation.url).content.decode()

    checked = 'value="abstain" required checked'
    assert checked not in secret_html
    assert checked in public_html


def test_results_hidden_until_close_show_turnout(consultation, client):
    consultation.results_visibility = "after_close"
    consultation.save()
    yes_no = consultation.questions.get(method="yes_no")
    services.cast_ballot(factories.make_user(), yes_no, {"choice": "yes"})
    html = client.get(consultation.url).content.decode()
    # The table waits, hidden and all zeros, for the tally pushed at the close.
    assert html.count("data-consult-tally hidden") == 2
    assert [v.split("<", 1)[0] for v in html.split("data-votes>")[1:]] == ["0"] * 6
    assert "Results will be published when voting closes." in html


def test_index_page_lists_and_filters(consultation, client):
    index = consultation.get_parent().specific
    factories.make_consultation(index, title="Old one", voting_open_at=None, voting_close_at=None)

    everything = client.get(index.url).content.decode()
    open_only = client.get(f"{index.url}?status=open").content.decode()

    assert consultation.title in everything and "Old one" in everything
    assert consultation.title in open_only and "Old one" not in open_only


def test_page_is_translated(consultation, client):
    html = client.get(consultation.url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="de"' in html
    assert "Abstimmung" in html or "Fragen" in html
