"""Follows, notifications, digests and their e-mails (SPEC §12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks.signals import task_enqueued

from consult.contributions import moderation, services
from consult.models import Digest, Follow, Notification, NotificationPreference, PhaseEvent
from consult.notifications import delivery, follows, messages, phases, preferences, schedule
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def followers(page, count: int, **preference):
    users = [factories.make_user() for _ in range(count)]
    for user in users:
        follows.follow(user, page)
        if preference:
            NotificationPreference.objects.create(user=user, **preference)
    return users


def notify(now=None):
    """Run consult_notify's work at ``now`` and return the e-mails it sent."""
    before = len(mail.outbox)
    # Tasks are enqueued on commit; the test's transaction never commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        schedule.run(now)
    return mail.outbox[before:]


def move(page, **dates):
    for name, value in dates.items():
        setattr(page, name, value)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


# ------------------------------------------------------------ phases (pure)


def at(hours: float) -> datetime:
    return datetime(2026, 12, 7, 12, tzinfo=UTC) + timedelta(hours=hours)


def due(now, **dates) -> list[str]:
    fields = {
        "proposals_open_at": None,
        "proposals_close_at": None,
        "voting_open_at": None,
        "voting_close_at": None,
        **dates,
    }
    return [d.event for d in phases.due_events(phases.Phases(**fields), now, DAY, DAY)]


def test_due_events_follow_the_phase_dates():
    voting = {"voting_open_at": at(0), "voting_close_at": at(72)}
    assert due(at(-1), **voting) == []
    assert due(at(0), **voting) == ["voting_open"]
    assert due(at(23), **voting) == ["voting_open"]
    assert due(at(24), **voting) == []  # more than a day late: no news any more
    assert due(at(48), **voting) == ["voting_closing"]
    assert due(at(72), **voting) == ["voting_closed"]
    assert due(at(97), **voting) == []
    proposals = {"proposals_open_at": at(0), "proposals_close_at": at(2)}
    assert due(at(1), **proposals) == ["proposals_open"]
    assert due(at(3), **proposals) == []  # closed again before anyone was told
    # A phase without dates is off, and so are its events.
    assert due(at(72), voting_close_at=at(72)) == []
    # Voting shorter than the notice: no "closes soon" on top of "opens".
    assert due(at(1), voting_open_at=at(0), voting_close_at=at(5)) == ["voting_open"]


def test_digest_periods():
    monday_6 = datetime(2026, 12, 7, 6)
    assert phases.digest_periods(monday_6, 7, 0) == []
    assert phases.digest_periods(monday_6 + HOUR, 7, 0) == [
        ("daily", "daily:2026-12-07"),
        ("weekly", "weekly:2026-W50"),
    ]
    tuesday = monday_6 + DAY
    assert ("weekly", "weekly:2026-W50") in phases.digest_periods(tuesday, 7, 0)
    assert phases.digest_periods(tuesday + HOUR, 7, 3) == [("daily", "daily:2026-12-08")]


# ------------------------------------------------------------ phase events


def test_voting_opens_closes_soon_and_closes_each_once(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}  # no digests in this test
    now = timezone.now()
    page = factories.make_consultation(
        title="Market square", voting_open_at=now - HOUR, voting_close_at=now + 3 * DAY
    )
    (citizen,) = followers(page, 1)

    (opened,) = notify(now)
    assert notify(now) == []  # idempotent: the second run sends nothing
    assert opened.to == [citizen.email]
    assert opened.subject == "Voting has opened: Market square"
    assert page.get_full_url() in opened.body

    (closing,) = notify(now + 2 * DAY + HOUR)
    assert closing.subject == "Voting closes soon: Market square"
    assert notify(now + 2 * DAY + 2 * HOUR) == []

    (closed,) = notify(now + 3 * DAY + HOUR)
    assert closed.subject == "Voting has closed: Market square"
    assert page.get_full_url() + messages.RESULTS_ANCHOR in closed.body
    assert notify(now + 3 * DAY + 2 * HOUR) == []
    assert list(PhaseEvent.objects.values_list("event", flat=True).order_by("pk")) == [
        "voting_open",
        "voting_closing",
        "voting_closed",
    ]
    assert Notification.objects.filter(user=citizen).count() == 3


def test_proposals_open_reaches_followers_only(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_proposal_consultation(
        title="Park", proposals_open_at=timezone.now() - HOUR
    )
    follower, _bystander = followers(page, 1)[0], factories.make_user()
    (sent,) = notify()
    assert sent.to == [follower.email]
    assert sent.subject == "Proposals are open: Park"


def test_the_command_is_idempotent_and_says_what_it_did(settings, capsys):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation(title="Bridge")
    followers(page, 2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("consult_notify")
        call_command("consult_notify")
    out = capsys.readouterr().out
    assert out.count("phase event: voting_open") == 1
    assert len(mail.outbox) == 2


def test_a_moved_date_is_announced_again_and_old_events_never(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    now = timezone.now()
    page = factories.make_consultation(voting_open_at=now - 3 * DAY, voting_close_at=now + DAY * 9)
    followers(page, 1)
    assert notify(now) == []  # opened three days ago: too late to announce
    page = move(page, voting_open_at=now - HOUR)
    assert len(notify(now)) == 1


def test_unpublished_pages_announce_nothing(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation()
    followers(page, 1)
    page.unpublish()
    assert notify() == []


# ------------------------------------------------------------ e-mails


def test_every_email_carries_one_click_unsubscribe_and_html(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation()
    (citizen,) = followers(page, 1)
    (sent,) = notify()
    header = sent.extra_headers["List-Unsubscribe"]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.startswith("<http://localhost/consult/notifications/unsubscribe/")
    url = header.strip("<>")
    assert url in sent.body
    (html, mimetype) = sent.alternatives[0]
    assert mimetype == "text/html" and url in html
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert preferences.user_for_token(token) == citizen


def test_emails_are_in_each_recipients_language(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    settings.LANGUAGE_CODE = "en"
    page = factories.make_consultation(title="Marktplatz")
    german, french, unknown = followers(page, 3)
    preferences.update(german, language="de")
    NotificationPreference.objects.create(user=french, last_language="fr")
    by_recipient = {m.to[0]: m for m in notify()}
    assert by_recipient[german.email].subject == "Die Abstimmung hat begonnen: Marktplatz"
    assert by_recipient[french.email].subject == "Le vote est ouvert : Marktplatz"
    assert by_recipient[unknown.email].subject == "Voting has opened: Marktplatz"
    assert 'lang="de"' in by_recipient[german.email].alternatives[0][0]


def test_the_language_last_used_on_the_site_is_recorded(citizen):
    client = client_for(citizen)
    client.get("/consult/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert NotificationPreference.objects.get(user=citizen).last_language == "fr"
    with CaptureQueriesContext(connection) as queries:
        client.get("/consult/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    writes = [q["sql"] for q in queries.captured_queries if "last_language" in q["sql"]]
    assert not [sql for sql in writes if not sql.startswith("SELECT")]
    client.get("/consult/notifications/", HTTP_ACCEPT_LANGUAGE="es")
    assert preferences.language(preferences.stored(citizen)) == "es"
    page = factories.make_consultation()
    client.get(page.url, HTTP_ACCEPT_LANGUAGE="de")  # reading a consultation counts too
    assert preferences.language(preferences.stored(citizen)) == "de"
    preferences.update(citizen, language="es")  # a choice wins over the last used one
    client.get("/consult/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert preferences.language(preferences.stored(citizen)) == "es"


def test_a_failing_mail_server_is_logged_not_raised(settings, monkeypatch, caplog):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation()
    followers(page, 2)

    def broken(self):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert notify() == []
    assert "could not send" in caplog.text
    # Claimed before sending: a retry does not send twice what may have gone out.
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


# ------------------------------------------------------------ fan-out


def test_fan_out_runs_in_batches(settings, monkeypatch):
    settings.CONSULT = {"NOTIFY_BATCH_SIZE": 3, "DIGEST_HOUR": 24}
    page = factories.make_consultation()
    users = followers(page, 7)
    batches = []
    send = messages.send

    def spy(batch):
        batch = list(batch)
        batches.append(len(batch))
        return send(batch)

    monkeypatch.setattr(messages, "send", spy)
    tasks = []

    def count(sender, task_result, **kwargs):
        tasks.append(task_result.task.name)

    task_enqueued.connect(count)
    try:
        notify()
        assert batches == [3, 3, 1]  # one task each, never all seven at once
        assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
        assert tasks.count("fan_out_phase") == 3
        six = factories.make_consultation()
        followers(six, 6)
        tasks.clear()
        notify()
        assert tasks.count("fan_out_phase") == 2  # no empty third task
    finally:
        task_enqueued.disconnect(count)


def test_a_batch_costs_the_same_queries_whatever_its_size(settings):
    settings.CONSULT = {"NOTIFY_BATCH_SIZE": 1000, "DIGEST_HOUR": 24}
    counts = []
    for size in (1, 3, 12):  # the first also fills the site's URL cache
        page = factories.make_consultation()
        followers(page, size)
        event = PhaseEvent.objects.create(
            page=page, event="voting_open", due_at=page.voting_open_at
        )
        with CaptureQueriesContext(connection) as queries:
            delivery.fan_out(event.pk, 0)
        counts.append(len(queries.captured_queries))
    assert len(mail.outbox) == 16
    assert counts[1] == counts[2]


def test_a_fan_out_task_run_twice_sends_nothing_twice(settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation()
    followers(page, 4)
    with TestCase.captureOnCommitCallbacks(execute=True):
        (event,) = schedule.announce_phases(timezone.now())
    assert len(mail.outbox) == 4
    delivery.fan_out(event.pk, 0)
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4


# ------------------------------------------------------------ citizens' events


def test_replies_reach_the_parent_comments_author(
    citizen, settings, django_capture_on_commit_callbacks
):
    page = factories.make_proposal_consultation(title="Harbour", moderation="post")
    parent = factories.make_comment(page, author=citizen)
    replier = factories.make_user(first_name="Rosa")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(replier, page, body="I agree!", parent=parent.pk)
    (sent,) = mail.outbox
    assert sent.to == [citizen.email]
    assert sent.subject == "New reply to your comment: Harbour"
    assert "Rosa replied" in sent.body and "I agree!" in sent.body
    assert f"#comment-{reply.pk}" in sent.body
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(citizen, page, body="Thanks.", parent=reply.pk)
    assert [m.to for m in mail.outbox] == [[citizen.email], [replier.email]]


def test_html_links_our_urls_and_escapes_citizens_text(citizen, django_capture_on_commit_callbacks):
    page = factories.make_proposal_consultation(moderation="post")
    parent = factories.make_comment(page, author=citizen)
    body = "<script>alert(1)</script> see https://evil.example/"
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(factories.make_user(), page, body=body, parent=parent.pk)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://evil.example/' not in html
    assert f'<a href="{page.get_full_url()}#comment-{reply.pk}">' in html
    assert '<a href="http://localhost/consult/notifications/unsubscribe/' in html


def test_no_notification_for_replying_to_oneself(citizen, django_capture_on_commit_callbacks):
    page = factories.make_proposal_consultation(moderation="post")
    parent = factories.make_comment(page, author=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(citizen, page, body="PS", parent=parent.pk)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_premoderated_reply_is_told_once_approved(citizen, django_capture_on_commit_callbacks):
    page = factories.make_proposal_consultation(moderation="pre")
    parent = factories.make_comment(page, author=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(factories.make_user(), page, body="Hm.", parent=parent.pk)
    assert not Notification.objects.filter(user=citizen).exists()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(factories.make_moderator(), reply, "approve")
    assert Notification.objects.get(user=citizen).event == "reply"
    assert citizen.email in [m.to[0] for m in mail.outbox]


def test_moderation_and_answers_notify_the_author(citizen, django_capture_on_commit_callbacks):
    page = factories.make_proposal_consultation(moderation="pre")
    proposal = factories.make_proposal(page, author=citizen, status="pending")
    moderator = factories.make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, proposal, "approve")
        moderation.answer_proposal(moderator, proposal, "We will do it.")
    events = list(Notification.objects.filter(user=citizen).values_list("event", "action"))
    assert sorted(events) == [("answer", ""), ("moderation", "approve")]
    assert len(mail.outbox) == 2
    assert f"{page.get_full_url()}proposals/{proposal.pk}/" in mail.outbox[0].body
    rejected = factories.make_proposal(page, author=citizen, status="pending", title="Wall")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(moderator, rejected, "reject", note="Off topic.")
    assert "Off topic." in mail.outbox[-1].body
    assert f"proposals/{rejected.pk}/" not in mail.outbox[-1].body  # nothing to show


def test_rolled_back_writes_notify_nobody(citizen):
    from django.db import transaction

    page = factories.make_proposal_consultation(moderation="post")
    parent = factories.make_comment(page, author=citizen)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.post_comment(factories.make_user(), page, body="Oops", parent=parent.pk)
        raise RuntimeError
    assert not Notification.objects.exists() and mail.outbox == []


# ------------------------------------------------------------ follows


def test_authors_supporters_and_commenters_follow_by_default(citizen):
    page = factories.make_proposal_consultation(moderation="post")
    proposal = services.submit_proposal(citizen, page, title="Trees", body="More trees.")
    supporter, commenter = factories.make_user(), factories.make_user()
    services.support_proposal(supporter, proposal)
    services.post_comment(commenter, page, body="Yes", proposal=proposal.pk)
    assert follows.is_following(citizen, page) and follows.is_following(citizen, proposal)
    assert follows.is_following(supporter, proposal) and not follows.is_following(supporter, page)
    assert follows.is_following(commenter, page) and follows.is_following(commenter, proposal)


def test_auto_follow_can_be_switched_off(citizen, settings):
    settings.CONSULT = {"AUTO_FOLLOW": []}
    page = factories.make_proposal_consultation(moderation="post")
    services.submit_proposal(citizen, page, title="Trees", body="More trees.")
    assert not Follow.objects.exists()


def test_follow_api(citizen):
    page = factories.make_consultation()
    proposal = factories.make_proposal(page)
    api = client_for(citizen, enforce_csrf_checks=False)
    url = f"/consult/api/v1/consultations/{page.pk}/follow/"
    assert api.post(url).status_code == 201
    response = api.post(url)
    assert (response.status_code, response.json()) == (200, {"following": True})
    assert api.post(f"/consult/api/v1/proposals/{proposal.pk}/follow/").status_code == 201
    assert Follow.objects.filter(user=citizen).count() == 2
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 204
    assert not follows.is_following(citizen, page) and follows.is_following(citizen, proposal)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "consultations/{page}/follow/", None, 401, "not_authenticated"),
        ("get", "notifications/", None, 401, "not_authenticated"),
        ("get", "notifications/preferences/", None, 401, "not_authenticated"),
    ],
)
def test_anonymous_api_errors(method, path, body, status, code):
    page = factories.make_consultation()
    response = getattr(Client(), method)(f"/consult/api/v1/{path.format(page=page.pk)}")
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "consultations/999999/follow/", None, 404, "not_found"),
        ("post", "proposals/{hidden}/follow/", None, 404, "not_found"),
        ("post", "notifications/read/", {"ids": "all"}, 400, "invalid"),
        ("post", "notifications/read/", {"ids": [True]}, 400, "invalid"),
        ("post", "notifications/read/", [1, 2], 400, "invalid"),
        ("post", "notifications/read/", [], 400, "invalid"),
        ("patch", "notifications/preferences/", {"email": "hourly"}, 400, "invalid"),
        ("patch", "notifications/preferences/", {"language": "xx"}, 400, "invalid"),
        ("patch", "notifications/preferences/", {"language": 7}, 400, "invalid"),
        ("patch", "notifications/preferences/", ["daily"], 400, "invalid"),
    ],
)
def test_api_errors(citizen, method, path, body, status, code):
    page = factories.make_consultation()
    hidden = factories.make_proposal(page, status="pending")  # someone else's
    api = client_for(citizen)
    url = f"/consult/api/v1/{path.format(hidden=hidden.pk)}"
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = getattr(api, method)(url, body, **kwargs) if body is not None else api.post(url)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]


def test_follow_buttons_work_without_javascript(citizen):
    page = factories.make_consultation(title="Bridge")
    client = client_for(citizen)
    html = client.get(page.url).content.decode()
    assert f'action="/consult/follow/consultations/{page.pk}/"' in html
    assert "Follow this consultation" in html
    response = client.post(
        f"/consult/follow/consultations/{page.pk}/", {"action": "follow", "next": page.url}
    )
    assert response.status_code == 302 and response.url == page.url
    assert follows.is_following(citizen, page)
    html = client.get(page.url).content.decode()
    assert "Stop following" in html and "You follow this now" in html
    client.post(f"/consult/follow/consultations/{page.pk}/", {"action": "unfollow"})
    assert not follows.is_following(citizen, page)
    evil = client.post(
        f"/consult/follow/consultations/{page.pk}/", {"next": "https://evil.example/"}
    )
    assert evil.url == page.url


def test_proposal_page_has_a_follow_button(citizen):
    page = factories.make_proposal_consultation()
    proposal = factories.make_proposal(page)
    client = client_for(citizen)
    html = client.get(f"{page.url}proposals/{proposal.pk}/").content.decode()
    assert f'action="/consult/follow/proposals/{proposal.pk}/"' in html
    assert client.post(f"/consult/follow/proposals/{proposal.pk}/").status_code == 302
    assert follows.is_following(citizen, proposal)
    anonymous = Client().get(f"{page.url}proposals/{proposal.pk}/").content.decode()
    assert "Sign in to follow this proposal" in anonymous


# ------------------------------------------------------------ list and preferences


def test_notification_list_api_newest_first_with_unread(citizen, settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    older = factories.make_consultation(title="Older")
    follows.follow(citizen, older)
    notify()
    newer = factories.make_consultation(title="Newer")
    follows.follow(citizen, newer)
    notify()
    api = client_for(citizen)
    body = api.get("/consult/api/v1/notifications/").json()
    assert body["unread"] == 2 and body["count"] == 2
    assert [n["title"] for n in body["results"]] == [
        "Voting has opened: Newer",
        "Voting has opened: Older",
    ]
    first = body["results"][0]
    assert first["event"] == "voting_open" and first["consultation"] == newer.pk
    assert first["url"] == newer.get_full_url() and first["read"] is False
    read = api.post(
        "/consult/api/v1/notifications/read/",
        {"ids": [first["id"]]},
        content_type="application/json",
    )
    assert read.json() == {"unread": 1}
    everything = api.post("/consult/api/v1/notifications/read/", content_type="application/json")
    assert everything.json() == {"unread": 0}
    other = client_for(factories.make_user()).get("/consult/api/v1/notifications/").json()
    assert other["count"] == 0


def test_preferences_api(citizen, settings):
    settings.LANGUAGE_CODE = "en"
    api = client_for(citizen)
    url = "/consult/api/v1/notifications/preferences/"
    assert api.get(url).json() == {"email": "instant", "language": "en"}
    changed = api.patch(url, {"email": "weekly", "language": "fr"}, content_type="application/json")
    assert changed.json() == {"email": "weekly", "language": "fr"}
    assert api.patch(url, {"email": "off"}, content_type="application/json").json() == {
        "email": "off",
        "language": "fr",
    }


def test_unread_count_in_the_header_and_the_list_page(citizen, settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    page = factories.make_consultation(title="Quay")
    follows.follow(citizen, page)
    notify()
    client = client_for(citizen)
    home = client.get(page.url).content.decode()
    assert 'href="/consult/notifications/"' in home and "(1 unread)" in home
    listing = client.get("/consult/notifications/").content.decode()
    assert "Voting has opened: Quay" in listing and "Mark all as read" in listing
    client.post("/consult/notifications/read/")
    assert "(1 unread)" not in client.get(page.url).content.decode()
    saved = client.post(
        "/consult/notifications/preferences/", {"email": "daily", "language": "es"}, follow=True
    )
    assert "Your notification settings have been saved." in saved.content.decode()
    assert preferences.as_dict(preferences.stored(citizen)) == {"email": "daily", "language": "es"}
    assert Client().get("/consult/notifications/").status_code == 302


# ------------------------------------------------------------ digests


def test_daily_digest_groups_everything_once(settings):
    settings.TIME_ZONE = "UTC"
    settings.CONSULT = {"DIGEST_HOUR": 7}
    morning = datetime(2026, 12, 7, 6, tzinfo=UTC)
    first = factories.make_consultation(title="First", voting_open_at=morning - HOUR)
    second = factories.make_consultation(title="Second", voting_open_at=morning - HOUR)
    daily, instant = factories.make_user(), factories.make_user()
    for user in (daily, instant):
        follows.follow(user, first)
        follows.follow(user, second)
    preferences.update(daily, email="daily")
    sent = notify(morning)
    assert [m.to for m in sent] == [[instant.email], [instant.email]]  # before 7: no digest

    (digest,) = notify(morning + 2 * HOUR)
    assert digest.to == [daily.email]
    assert digest.subject == "Your participation news: 2 updates"
    assert "Voting has opened: First" in digest.body and "Voting has opened: Second" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notify(morning + 3 * HOUR) == []  # once per day
    assert Digest.objects.get(user=daily).period == "daily:2026-12-07"


def test_weekly_digest_waits_for_its_day_and_off_sends_nothing(settings):
    settings.TIME_ZONE = "UTC"
    settings.CONSULT = {"DIGEST_HOUR": 7, "DIGEST_WEEKDAY": 2}
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    page = factories.make_consultation(
        voting_open_at=monday - HOUR, voting_close_at=monday + 30 * DAY
    )
    weekly, off = factories.make_user(), factories.make_user()
    for user, choice in ((weekly, "weekly"), (off, "off")):
        follows.follow(user, page)
        preferences.update(user, email=choice)
    assert notify(monday) == []
    assert notify(monday + DAY) == []  # Tuesday
    (digest,) = notify(monday + 2 * DAY)  # Wednesday, 9:00
    assert digest.to == [weekly.email]
    assert digest.subject == "Your participation news: 1 update"
    assert notify(monday + 3 * DAY) == []
    assert Notification.objects.filter(user=off).count() == 1  # in the site all the same


# ------------------------------------------------------------ unsubscribe


def test_one_click_unsubscribe_without_login_or_csrf(citizen, settings):
    settings.CONSULT = {"DIGEST_HOUR": 24}
    url = "/consult/notifications/unsubscribe/" + preferences.unsubscribe_token(citizen.pk) + "/"
    client = Client(enforce_csrf_checks=True)
    confirm = client.get(url)
    assert confirm.status_code == 200 and '<form method="post">' in confirm.content.decode()
    assert preferences.frequency(preferences.stored(citizen)) == "instant"  # GET changes nothing
    done = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert preferences.frequency(preferences.stored(citizen)) == "off"
    page = factories.make_consultation()
    follows.follow(citizen, page)
    assert notify() == []
    assert Notification.objects.filter(user=citizen).exists()


def test_forged_unsubscribe_tokens_are_refused(citizen):
    token = preferences.unsubscribe_token(citizen.pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = Client().post(f"/consult/notifications/unsubscribe/{forged}/")
    assert response.status_code == 404
    assert preferences.frequency(preferences.stored(citizen)) == "instant"
    other = factories.make_user()
    assert preferences.user_for_token(preferences.unsubscribe_token(other.pk)) == other


# ------------------------------------------------------------ a real queue


# The worker closes its database connection when done: no test transaction.
@pytest.mark.django_db(transaction=True)
def test_with_a_database_queue_emails_wait_for_the_worker(citizen, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    page = factories.make_proposal_consultation(moderation="post")
    parent = factories.make_comment(page, author=citizen)
    services.post_comment(factories.make_user(), page, body="Agreed", parent=parent.pk)
    assert mail.outbox == []  # the request only queued it
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    (sent,) = mail.outbox
    assert sent.to == [citizen.email]
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert len(mail.outbox) == 1
