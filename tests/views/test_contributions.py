"""Proposal and comment pages as a browser without JavaScript uses them:
plain GETs, form POSTs and redirects with messages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consult.models import Comment, Proposal, Report, Support
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="post", support_threshold=2)


@pytest.fixture
def browser(citizen):
    client = Client()
    client.force_login(citizen)
    return client


def html(response) -> str:
    return response.content.decode()


def test_consultation_page_links_proposals_and_comments(page, client):
    proposal = factories.make_proposal(page, title="Bike lanes", supports=3)
    factories.make_comment(page, body="First!")
    text = html(client.get(page.url))
    assert 'id="proposals"' in text and 'id="comments"' in text
    assert f'href="{page.url}proposals/"' in text
    assert f'href="{page.url}proposals/{proposal.pk}/"' in text
    assert "Reached the support threshold" in text
    assert "Sign in to make a proposal" in text and "Sign in to comment" in text
    assert "First!" in text
    assert "consult/comments.js" in text and "consult/contributions.css" in text
    assert 'aria-live="polite"' in text


def test_question_markup_is_kept(consultation, client):
    text = html(client.get(consultation.url))
    assert 'class="consult-question"' in text and "Car-free square?" in text


def test_proposal_list_filters_sorts_and_paginates(page, client):
    parks = factories.make_category("Parks", slug="parks")
    old = factories.make_proposal(page, title="Old popular", supports=9, category=parks)
    new = factories.make_proposal(page, title="New quiet", supports=0)
    Proposal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    for n in range(21):
        factories.make_proposal(page, title=f"Filler {n}")
    url = f"{page.url}proposals/"

    first = html(client.get(url))
    assert "23 proposals" in first and "Page 1 of 2" in first and "New quiet" not in first
    assert "Filler 20" in first
    assert "Old popular" in html(client.get(url, {"page": 2}))
    by_supports = html(client.get(url, {"sort": "supports"}))
    assert by_supports.index("Old popular") < by_supports.index("Filler 20")
    only_parks = html(client.get(url, {"category": "parks"}))
    assert "1 proposal" in only_parks and "Old popular" in only_parks and "Filler" not in only_parks
    assert (
        client.get(url, {"category": "nope", "status": "bad", "sort": "x", "page": "z"}).status_code
        == 200
    )
    assert client.post(url).status_code == 405
    assert new.pk


def test_submit_a_proposal_without_javascript(page, citizen, browser):
    response = browser.post(
        f"{page.url}proposals/new/", {"title": "Benches", "body": "More benches."}, follow=True
    )
    proposal = Proposal.objects.get()
    assert response.redirect_chain[-1][0] == f"{page.url}proposals/{proposal.pk}/"
    text = html(response)
    assert "Your proposal is published." in text and "Benches" in text
    assert proposal.author == citizen and proposal.status == "published"


def test_pre_moderated_proposal_says_it_waits(page, browser, client):
    page.moderation = "pre"
    page.save()
    response = browser.post(
        f"{page.url}proposals/new/", {"title": "Benches", "body": "More benches."}, follow=True
    )
    assert "once a moderator has checked it" in html(response)
    proposal = Proposal.objects.get()
    assert proposal.status == "pending"
    assert client.get(f"{page.url}proposals/{proposal.pk}/").status_code == 404
    assert "Benches" not in html(client.get(f"{page.url}proposals/"))


def test_form_errors_keep_the_input(page, browser):
    response = browser.post(
        f"{page.url}proposals/new/", {"title": "", "body": "Kept text", "latitude": "95"}
    )
    text = html(response)
    assert response.status_code == 400
    assert "Kept text" in text
    assert 'aria-invalid="true"' in text and "id_title_error" in text
    assert not Proposal.objects.exists()


def test_form_refusals(page, client, unverified):
    anonymous = html(client.get(f"{page.url}proposals/new/"))
    assert (
        "You need to sign in first." in anonymous and '<form class="consult-form"' not in anonymous
    )
    assert client.post(f"{page.url}proposals/new/", {"title": "t", "body": "b"}).status_code == 200
    assert not Proposal.objects.exists()
    client.force_login(unverified)
    assert "confirm your email" in html(client.get(f"{page.url}proposals/new/"))
    client.force_login(factories.make_user())
    page.proposals_close_at = timezone.now() - timedelta(seconds=1)
    page.save()
    assert "not being accepted" in html(client.get(f"{page.url}proposals/new/"))


def test_edit_and_withdraw_own_proposal(page, citizen, browser, client):
    page.moderation = "pre"
    page.save()
    proposal = factories.make_proposal(page, author=citizen, status="pending", title="Old")
    edit_url = f"{page.url}proposals/{proposal.pk}/edit/"
    detail = html(browser.get(f"{page.url}proposals/{proposal.pk}/"))
    assert "Change my proposal" in detail and "awaits moderation" in detail
    assert 'value="Old"' in html(browser.get(edit_url))
    response = browser.post(edit_url, {"title": "New", "body": "Text"}, follow=True)
    assert "Your proposal has been changed." in html(response)
    assert Proposal.objects.get(pk=proposal.pk).title == "New"
    other = Client()
    other.force_login(factories.make_user())
    assert other.get(edit_url).status_code == 404  # pending: invisible to others

    withdrawn = browser.post(f"{page.url}proposals/{proposal.pk}/withdraw/", follow=True)
    assert "Your proposal has been withdrawn." in html(withdrawn)
    assert Proposal.objects.get(pk=proposal.pk).status == "withdrawn"
    assert browser.get(f"{page.url}proposals/{proposal.pk}/withdraw/").status_code == 405


def test_support_buttons(page, browser, client):
    proposal = factories.make_proposal(page)
    url = f"{page.url}proposals/{proposal.pk}/"
    assert "Sign in to support this proposal" in html(client.get(url))
    assert "Support this proposal" in html(browser.get(url))

    supported = browser.post(f"{url}support/", {"action": "support", "next": url}, follow=True)
    text = html(supported)
    assert "Thank you for supporting this proposal." in text
    assert f'<strong data-supports-for="{proposal.pk}">1</strong>' in text
    assert "Withdraw my support" in text
    again = browser.post(f"{url}support/", {"action": "support"}, follow=True)
    assert "You already support this proposal." in html(again)
    withdrawn = browser.post(f"{url}support/", {"action": "withdraw"}, follow=True)
    assert "Your support has been withdrawn." in html(withdrawn)
    assert not Support.objects.exists()
    bogus = browser.post(f"{url}support/", {"action": "hack", "next": "https://evil.example/"})
    assert bogus["Location"] == url


def test_support_refused_after_the_phase(page, browser):
    proposal = factories.make_proposal(page)
    page.proposals_close_at = timezone.now() - timedelta(seconds=1)
    page.save()
    url = f"{page.url}proposals/{proposal.pk}/"
    assert "Support this proposal" not in html(browser.get(url))
    response = browser.post(f"{url}support/", {"action": "support"}, follow=True)
    assert "Proposals are not being accepted now." in html(response)


def test_report_a_proposal(page, browser):
    proposal = factories.make_proposal(page)
    url = f"{page.url}proposals/{proposal.pk}/"
    assert "Why should the moderators look at this?" in html(browser.get(url))
    response = browser.post(f"{url}report/", {"reason": "spam"}, follow=True)
    assert "The moderators will look at your report." in html(response)
    assert "You have reported this." in html(response)
    dup = browser.post(f"{url}report/", {"reason": "spam"}, follow=True)
    assert "You have already reported this." in html(dup)
    assert Report.objects.count() == 1


def test_answer_and_threshold_badge_on_the_proposal_page(page, client):
    proposal = factories.make_proposal(
        page, supports=2, answer="We will build it.\n\nNext year.", answered_at=timezone.now()
    )
    text = html(client.get(f"{page.url}proposals/{proposal.pk}/"))
    assert "Official answer" in text and "<p>We will build it.</p>" in text
    assert "Reached the support threshold" in text


def test_post_comments_and_replies(page, citizen, browser):
    response = browser.post(
        f"{page.url}comments/",
        {"body": "Good idea", "stance": "for", "next": page.url},
        follow=True,
    )
    comment = Comment.objects.get()
    assert response.redirect_chain[-1][0] == f"{page.url}#comment-{comment.pk}"
    text = html(response)
    assert "Your comment is published." in text and "Good idea" in text
    assert f'id="comment-{comment.pk}"' in text and "consult-stance--for" in text

    reply = browser.post(
        f"{page.url}comments/",
        {"body": "Agreed", "parent": comment.pk, "next": page.url},
        follow=True,
    )
    assert "Agreed" in html(reply)
    assert Comment.objects.get(body="Agreed").parent == comment


def test_comment_on_a_proposal_page(page, browser):
    proposal = factories.make_proposal(page)
    url = f"{page.url}proposals/{proposal.pk}/"
    response = browser.post(
        f"{page.url}comments/",
        {"body": "On topic", "proposal": proposal.pk, "next": url},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(url)
    assert "On topic" in html(response)
    assert Comment.objects.get().proposal == proposal


def test_refused_comment_keeps_its_text(page, browser, settings):
    settings.CONSULT = {"COMMENT_MAX_LENGTH": 5}
    response = browser.post(
        f"{page.url}comments/", {"body": "Far too long", "next": page.url}, follow=True
    )
    text = html(response)
    assert "at most 5 characters" in text
    assert ">Far t</textarea>" in text  # the draft comes back (cut to the limit)
    assert not Comment.objects.exists()


def test_empty_comment_and_get_are_refused(page, browser):
    response = browser.post(f"{page.url}comments/", {"body": ""}, follow=True)
    assert "Please write your comment" in html(response)
    assert browser.get(f"{page.url}comments/").status_code == 405


def test_anonymous_comment_is_refused(page, client):
    response = client.post(f"{page.url}comments/", {"body": "Hi"}, follow=True)
    assert "You need to sign in first." in html(response)


def test_edit_delete_and_report_comments(page, citizen, browser):
    comment = factories.make_comment(page, author=citizen, body="Typo")
    someone = factories.make_comment(page, body="Rude")
    text = html(browser.get(page.url))
    assert f"{page.url}comments/{comment.pk}/edit/" in text
    assert f"{page.url}comments/{someone.pk}/edit/" not in text

    edit_url = f"{page.url}comments/{comment.pk}/edit/"
    assert ">Typo</textarea>" in html(browser.get(edit_url))
    edited = browser.post(edit_url, {"body": "Fixed", "stance": "against"}, follow=True)
    assert "Your comment has been changed." in html(edited) and "Fixed" in html(edited)
    assert "(edited)" in html(edited)

    deleted = browser.post(f"{page.url}comments/{comment.pk}/delete/", follow=True)
    assert "Your comment has been removed." in html(deleted)
    assert Comment.objects.get(pk=comment.pk).body == ""

    reported = browser.post(
        f"{page.url}comments/{someone.pk}/report/", {"reason": "abuse"}, follow=True
    )
    assert "The moderators will look at your report." in html(reported)
    assert Report.objects.get().comment == someone
    no_reason = browser.post(f"{page.url}comments/{someone.pk}/report/", {}, follow=True)
    assert "Please choose why you report this." in html(no_reason)


def test_edit_window_is_enforced_on_the_page(page, citizen, browser, settings):
    settings.CONSULT = {"COMMENT_EDIT_WINDOW": 60}
    comment = factories.make_comment(page, author=citizen, body="Old")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    response = browser.get(f"{page.url}comments/{comment.pk}/edit/")
    assert response.status_code == 409 and "time for editing" in html(response)
    browser.post(f"{page.url}comments/{comment.pk}/edit/", {"body": "New"})
    assert Comment.objects.get(pk=comment.pk).body == "Old"


def test_removed_comment_keeps_its_replies(page, client):
    parent = factories.make_comment(page, body="Gone soon")
    reply = factories.make_comment(page, parent=parent, body="Still here")
    Comment.objects.filter(pk=parent.pk).update(body="", deleted_at=timezone.now())
    text = html(client.get(page.url))
    assert "Comment removed by its author." in text and "Still here" in text
    assert text.index(f'id="comment-{parent.pk}"') < text.index(f'id="comment-{reply.pk}"')


def test_hidden_comment_becomes_a_placeholder_for_its_replies(page, client):
    parent = factories.make_comment(page, body="Offensive", status="hidden")
    factories.make_comment(page, parent=parent, body="Reply to it")
    factories.make_comment(page, body="Hidden alone", status="hidden")
    text = html(client.get(page.url))
    assert "Offensive" not in text and "Hidden alone" not in text
    assert "This comment is not shown." in text and "Reply to it" in text


def test_own_pending_comment_is_shown_to_its_author_only(page, citizen, browser, client):
    page.moderation = "pre"
    page.save()
    browser.post(f"{page.url}comments/", {"body": "Awaiting", "next": page.url})
    assert "Awaiting moderation" in html(browser.get(page.url))
    assert "Awaiting" not in html(client.get(page.url))


def test_comment_pages(page, client):
    for n in range(25):
        factories.make_comment(page, body=f"Thread {n}")
    first = html(client.get(page.url))
    second = html(client.get(page.url, {"comments_page": 2}))
    assert "Thread 24" in first and "Thread 0" not in first
    assert "Thread 0" in second and "Page 2 of 2" in second


def test_comments_switched_off(page, browser):
    page.comments_enabled = False
    page.save()
    text = html(browser.get(page.url))
    assert 'id="comments"' not in text
    factories.make_comment(page, body="Old comment")
    text = html(browser.get(page.url))
    assert "Comments are switched off" in text and "Old comment" in text
    assert "Post comment" not in text


def test_unknown_routes_are_not_found(page, client):
    for path in ("proposals/987654/", "proposals/abc/", "comments/987654/edit/", "nothing/"):
        assert client.get(f"{page.url}{path}").status_code == 404
    assert client.get(f"{page.url}proposals/{'9' * 30}/").status_code == 404


def test_pages_are_translated(page, client):
    factories.make_proposal(page)
    text = html(client.get(f"{page.url}proposals/", HTTP_ACCEPT_LANGUAGE="de"))
    assert 'lang="de"' in text


def test_preview_of_an_unsaved_consultation(rf, citizen):
    from consult.models import ConsultationPage
    from consult.views.common import contributions_context

    request = rf.get("/")
    request.user = citizen
    context = contributions_context(ConsultationPage(title="Draft"), request)
    assert context["discussion"] is None and context["published_proposals"] == 0
