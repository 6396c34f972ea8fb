"""Moderation: pre and post moderation, the decisions, the admin queue and its
bulk actions, Wagtail's audit log, emails to authors, the moderators group."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from consult import signals
from consult.contributions import moderation, services
from consult.exceptions import NotModerator
from consult.models import Comment, CommentFeed, Proposal, Report
from tests import factories

pytestmark = pytest.mark.django_db

GROUP = "Consultation moderators"


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="pre", title="Market square")


@pytest.fixture
def moderator(db):
    return factories.make_moderator()


@pytest.fixture
def admin(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr("consult.realtime.broadcast._send", lambda *args: calls.append(args))
    return calls


def logs(item, action=None):
    entries = ModelLogEntry.objects.for_instance(item)
    return entries.filter(action=action) if action else entries


# ----------------------------------------------------------------- services


def test_pre_moderation_hides_until_approved(page, citizen, moderator, client):
    proposal = services.submit_proposal(citizen, page, title="Fountain", body="Please.")
    assert proposal.status == "pending"
    assert "Fountain" not in client.get(f"{page.url}proposals/").content.decode()

    assert moderation.moderate(moderator, proposal, "approve", note="Fine.")

    proposal.refresh_from_db()
    assert proposal.status == "published" and proposal.moderator_note == "Fine."
    assert proposal.moderated_at is not None
    assert "Fountain" in client.get(f"{page.url}proposals/").content.decode()


def test_post_moderation_publishes_then_hides(citizen, moderator, client):
    page = factories.make_proposal_consultation(moderation="post")
    comment = services.post_comment(citizen, page, body="Visible at once")
    assert "Visible at once" in client.get(page.url).content.decode()
    assert moderation.moderate(moderator, comment, "hide")
    assert Comment.objects.get(pk=comment.pk).status == "hidden"
    assert "Visible at once" not in client.get(page.url).content.decode()


@pytest.mark.parametrize(
    ("status", "action", "result"),
    [
        ("pending", "approve", "published"),
        ("pending", "reject", "rejected"),
        ("pending", "hide", None),
        ("published", "hide", "hidden"),
        ("published", "reject", None),
        ("published", "approve", "published"),
        ("hidden", "approve", "published"),
        ("rejected", "approve", "published"),
        ("withdrawn", "approve", None),
        ("withdrawn", "hide", None),
    ],
)
def test_transitions(page, moderator, status, action, result):
    proposal = factories.make_proposal(page, status=status)
    changed = moderation.moderate(moderator, proposal, action)
    assert changed is (result is not None)
    assert Proposal.objects.get(pk=proposal.pk).status == (result or status)


def test_only_moderators_decide(page, citizen):
    proposal = factories.make_proposal(page, status="pending")
    with pytest.raises(NotModerator):
        moderation.moderate(citizen, proposal, "approve")
    with pytest.raises(NotModerator):
        moderation.answer_proposal(citizen, proposal, "No.")
    assert Proposal.objects.get(pk=proposal.pk).status == "pending"


def test_decision_is_logged_resolves_reports_and_signals(page, moderator):
    proposal = factories.make_proposal(page, status="published")
    reporter = factories.make_user()
    services.report(reporter, proposal, reason="abuse")
    received = []
    handler = lambda sender, **kwargs: received.append(kwargs)  # noqa: E731
    signals.contribution_moderated.connect(handler)
    try:
        moderation.moderate(moderator, proposal, "hide", note="Insults")
    finally:
        signals.contribution_moderated.disconnect(handler)

    entry = logs(proposal, "consult.hide").get()
    assert entry.user == moderator
    assert entry.data == {"note": "Insults", "from": "published", "to": "hidden"}
    assert entry.comment == "Insults"  # the formatter shows the note
    assert str(entry.message) == "Hidden. Note: Insults"
    assert Report.objects.get().resolved_at is not None
    assert received[0]["action"] == "hide" and received[0]["previous_status"] == "published"


def test_comment_decisions_update_the_live_count(
    page, citizen, moderator, sent, django_capture_on_commit_callbacks
):
    comment = services.post_comment(citizen, page, body="Wait for me")
    assert sent == []  # pending: nobody else sees it
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, comment, "approve")
    assert sent[-1][1:] == (
        f"comments:{page.pk}",
        1,
        {"type": "comments", "consultation": page.pk, "count": 1},
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, comment, "hide")
    assert sent[-1][2:] == (2, {"type": "comments", "consultation": page.pk, "count": 0})
    assert CommentFeed.objects.get(page=page).version == 2


def test_authors_are_emailed_after_commit(
    page, citizen, moderator, django_capture_on_commit_callbacks
):
    proposal = services.submit_proposal(citizen, page, title="Fountain", body="Please.")
    comment = factories.make_comment(page, author=citizen, status="pending")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moderation.moderate(moderator, proposal, "approve", note="Lovely idea.")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, comment, "reject", note="Please stay polite.")

    approved, rejected = mail.outbox
    assert approved.to == [citizen.email]
    assert approved.subject == "Your proposal has been published: Market square"
    assert "“Fountain”" in approved.body and "Lovely idea." in approved.body
    assert f"{page.url}proposals/{proposal.pk}/" in approved.body
    assert rejected.subject == "Your comment was not published: Market square"
    assert "Please stay polite." in rejected.body
    assert "@" not in approved.body.replace(citizen.email, "")


def test_no_email_without_a_change_or_when_switched_off(
    page, citizen, moderator, settings, django_capture_on_commit_callbacks
):
    published = factories.make_proposal(page, author=citizen, status="published")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, published, "approve")  # dismisses reports only
    assert mail.outbox == []
    settings.CONSULT = {"NOTIFY_AUTHORS": False}
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, published, "hide")
    assert mail.outbox == []


def test_emails_are_written_in_the_authors_language(
    page, citizen, moderator, settings, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from consult.notifications import preferences

    settings.LANGUAGE_CODE = "es"
    preferences.update(citizen, language="de")
    proposal = factories.make_proposal(page, author=citizen, status="pending")
    # The moderator works in French; the author reads German.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, proposal, "approve")
    (message,) = mail.outbox
    assert message.subject == "Ihr Vorschlag wurde veröffentlicht: Market square"


def test_official_answer(page, citizen, moderator, client, django_capture_on_commit_callbacks):
    proposal = factories.make_proposal(page, author=citizen, status="published", title="Fountain")
    with django_capture_on_commit_callbacks(execute=True):
        assert moderation.answer_proposal(moderator, proposal, "  We will build it.  ")
    proposal.refresh_from_db()
    assert proposal.answer == "We will build it." and proposal.answered_at is not None
    assert proposal.status == "published"
    assert logs(proposal, "consult.answer").get().data == {"answer": "We will build it."}
    assert mail.outbox[0].subject == "Your proposal “Fountain” has an official answer"
    assert "We will build it." in mail.outbox[0].body
    assert not moderation.answer_proposal(moderator, proposal, "We will build it.")
    assert "We will build it." in client.get(f"{page.url}proposals/{proposal.pk}/").content.decode()


# ------------------------------------------------------------ group and menu


def test_moderators_group_has_the_permissions(moderator):
    group = Group.objects.get(name=GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {
        "access_admin",
        "view_proposal",
        "change_proposal",
        "view_comment",
        "change_comment",
    } <= codenames
    assert {"add_category", "change_category", "delete_category"} <= codenames
    assert moderator.has_perm("consult.change_comment")


def test_consultations_menu(admin, client):
    html = admin.get("/admin/").content.decode()
    assert "Consultations" in html
    for path in (
        "/admin/consult/proposals/",
        "/admin/consult/comments/",
        "/admin/snippets/consult/category/",
    ):
        assert path in html

    clerk = factories.make_user()
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    assert "/admin/consult/proposals/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/consult/proposals/").status_code == 302


def test_other_apps_can_add_to_the_menu(admin):
    from wagtail import hooks
    from wagtail.admin.menu import MenuItem

    from consult.admin.viewsets import CONSULT_MENU_HOOK

    def extra():
        return MenuItem("Extra report", "/admin/extra-report/", name="extra-report", order=900)

    with hooks.register_temporarily(CONSULT_MENU_HOOK, extra):
        from consult.admin.viewsets import ConsultationsMenu

        menu = ConsultationsMenu().get_menu_item().menu
        assert "extra-report" in [item.name for item in menu.registered_menu_items]


# -------------------------------------------------------------- admin queue


def test_queue_lists_and_filters(page, admin):
    other = factories.make_proposal_consultation(moderation="post", title="Park")
    pending = factories.make_proposal(page, status="pending", title="Pending one")
    published = factories.make_proposal(page, status="published", title="Published one")
    elsewhere = factories.make_proposal(other, status="pending", title="Elsewhere")
    services.report(factories.make_user(), published, reason="spam")

    def titles(query):
        html = admin.get(f"/admin/consult/proposals/?{urlencode(query)}").content.decode()
        return {t for t in ("Pending one", "Published one", "Elsewhere") if t in html}

    assert titles({}) == {"Pending one", "Published one", "Elsewhere"}
    assert titles({"status": "pending"}) == {"Pending one", "Elsewhere"}
    assert titles({"page": page.pk}) == {"Pending one", "Published one"}
    assert titles({"reported": "true"}) == {"Published one"}
    assert titles({"reported": "false", "status": "pending", "page": other.pk}) == {"Elsewhere"}
    html = admin.get("/admin/consult/proposals/").content.decode()
    assert "data-bulk-action-checkbox" in html and "bulk-actions.js" in html
    assert "/admin/consult/proposals/new/" not in html
    assert pending.pk and elsewhere.pk


def test_comment_queue(page, admin):
    comment = factories.make_comment(page, status="pending", body="Needs a look")
    factories.make_comment(page, status="published", body="Fine one")
    html = admin.get("/admin/consult/comments/?status=pending").content.decode()
    assert "Needs a look" in html and "Fine one" not in html
    assert admin.get(f"/admin/consult/comments/inspect/{comment.pk}/").status_code == 200
    assert admin.get(f"/admin/consult/comments/edit/{comment.pk}/").status_code == 404
    assert admin.get(f"/admin/consult/proposals/delete/{comment.pk}/").status_code == 404
    assert admin.get("/admin/consult/proposals/new/").status_code == 404


def test_bulk_approve_with_a_note(
    page, citizen, moderator, admin, django_capture_on_commit_callbacks
):
    first = factories.make_proposal(page, status="pending", author=citizen, title="First")
    second = factories.make_proposal(page, status="pending", title="Second")
    withdrawn = factories.make_proposal(page, status="withdrawn", title="Gone")
    url = "/admin/bulk/consult/proposal/approve/?" + urlencode(
        [
            ("id", first.pk),
            ("id", second.pk),
            ("id", withdrawn.pk),
            ("next", "/admin/consult/proposals/"),
        ]
    )

    confirm = admin.get(url).content.decode()
    assert "First" in confirm and "Second" in confirm
    assert "cannot be changed that way now" in confirm and "Gone" in confirm
    assert 'name="note"' in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"note": "Welcome"}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/consult/proposals/"
    assert "2 items: Approved." in response.content.decode()
    assert set(Proposal.objects.filter(status="published").values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Proposal.objects.get(pk=withdrawn.pk).status == "withdrawn"
    assert logs(first, "consult.approve").get().user == moderator
    assert [m.to for m in mail.outbox].count([citizen.email]) == 1


def test_bulk_reject_and_hide_comments(page, moderator, admin):
    pending = factories.make_comment(page, status="pending")
    published = factories.make_comment(page, status="published")
    admin.post(f"/admin/bulk/consult/comment/reject/?id={pending.pk}", {"note": ""})
    admin.post(f"/admin/bulk/consult/comment/hide/?id={published.pk}", {"note": "Spam"})
    assert Comment.objects.get(pk=pending.pk).status == "rejected"
    hidden = Comment.objects.get(pk=published.pk)
    assert hidden.status == "hidden" and hidden.moderator_note == "Spam"
    assert logs(hidden, "consult.hide").get().data["note"] == "Spam"


def test_bulk_all_in_listing_respects_the_filters(page, admin):
    pending = [factories.make_proposal(page, status="pending") for _ in range(3)]
    hidden = factories.make_proposal(page, status="hidden")
    other_page = factories.make_proposal_consultation()
    elsewhere = factories.make_proposal(other_page, status="pending")
    query = urlencode([("status", "pending"), ("page", page.pk), ("id", "all")])
    admin.post(f"/admin/bulk/consult/proposal/approve/?{query}", {"note": ""})
    assert all(Proposal.objects.get(pk=p.pk).status == "published" for p in pending)
    assert Proposal.objects.get(pk=hidden.pk).status == "hidden"
    assert Proposal.objects.get(pk=elsewhere.pk).status == "pending"


def test_bulk_with_bad_ids_is_not_a_server_error(admin):
    assert admin.get("/admin/bulk/consult/proposal/approve/?id=abc&id=1e3").status_code == 404
    assert admin.get(f"/admin/bulk/consult/proposal/approve/?id={'9' * 40}").status_code == 404
    assert admin.get("/admin/bulk/consult/proposal/publish/?id=1").status_code == 404


def test_bulk_needs_the_permission(page, client):
    proposal = factories.make_proposal(page, status="pending")
    clerk = factories.make_user()
    clerk.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_proposal"),
    )
    client.force_login(clerk)
    client.post(f"/admin/bulk/consult/proposal/approve/?id={proposal.pk}", {"note": ""})
    assert Proposal.objects.get(pk=proposal.pk).status == "pending"


def test_row_buttons_link_to_the_actions(page, admin):
    proposal = factories.make_proposal(page, status="pending")
    html = admin.get("/admin/consult/proposals/").content.decode()
    assert f"/admin/bulk/consult/proposal/approve/?id={proposal.pk}" in html
    assert f"/admin/bulk/consult/proposal/reject/?id={proposal.pk}" in html
    assert f"/admin/bulk/consult/proposal/hide/?id={proposal.pk}" not in html


def test_history_and_site_history_show_the_decision(page, moderator, admin):
    proposal = factories.make_proposal(page, status="pending", title="Logged one")
    admin.post(f"/admin/bulk/consult/proposal/approve/?id={proposal.pk}", {"note": "Checked twice"})
    history = admin.get(f"/admin/consult/proposals/history/{proposal.pk}/").content.decode()
    assert "Approved. Note: Checked twice" in history
    site_history = admin.get("/admin/reports/site-history/").content.decode()
    assert "Logged one" in site_history


def test_editor_answers_in_the_admin(page, citizen, admin, django_capture_on_commit_callbacks):
    category = factories.make_category("Parks")
    proposal = factories.make_proposal(page, status="published", author=citizen, supports=4)
    url = f"/admin/consult/proposals/edit/{proposal.pk}/"
    form = admin.get(url).content.decode()
    assert proposal.body in form and "Official answer" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"category": category.pk, "answer": "Yes, next spring."})
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    assert proposal.answer == "Yes, next spring." and proposal.category == category
    assert proposal.supports == 4  # the counter is never written by the form
    assert logs(proposal, "consult.answer").exists() and logs(proposal, "wagtail.edit").exists()
    assert mail.outbox[-1].to == [citizen.email]


def test_reported_items_show_their_reports(page, admin):
    proposal = factories.make_proposal(page, status="published")
    services.report(factories.make_user(), proposal, reason="other", details="Looks like spam")
    form = admin.get(f"/admin/consult/proposals/edit/{proposal.pk}/").content.decode()
    assert "Looks like spam" in form
    comment = factories.make_comment(page)
    services.report(factories.make_user(), comment, reason="abuse")
    inspect = admin.get(f"/admin/consult/comments/inspect/{comment.pk}/").content.decode()
    assert "Insulting, hateful or threatening (open)" in inspect
    html = admin.get("/admin/consult/proposals/?reported=true").content.decode()
    assert proposal.title in html


def test_category_snippet(admin):
    response = admin.post(
        "/admin/snippets/consult/category/add/",
        {"name": "Mobility", "slug": "mobility", "description": ""},
    )
    assert response.status_code == 302
    assert admin.get("/admin/snippets/consult/category/").status_code == 200


def test_pre_moderation_end_to_end(page, citizen, admin, client):
    author = Client()
    author.force_login(citizen)
    author.post(f"{page.url}proposals/new/", {"title": "Skate park", "body": "By the river."})
    proposal = Proposal.objects.get()
    assert client.get(f"{page.url}proposals/{proposal.pk}/").status_code == 404
    assert "Skate park" in admin.get("/admin/consult/proposals/?status=pending").content.decode()
    admin.post(f"/admin/bulk/consult/proposal/approve/?id={proposal.pk}", {"note": ""})
    assert client.get(f"{page.url}proposals/{proposal.pk}/").status_code == 200
    assert "Skate park" in client.get(f"{page.url}proposals/").content.decode()
    assert proposal.created_at <= timezone.now()
