"""The editors' workspace in the Wagtail admin: the "Consultations" menu, the
consultations listing, the results dashboard and the summary on the Wagtail
dashboard, for editors, results readers, moderators and citizens."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from consult.admin import dashboard
from consult.models import Comment, ConsultationPage, Participation, Proposal
from consult.models.pages import STATUS_RANK
from consult.voting import services
from tests import factories

LISTING = "/admin/consult/consultations/"


def results_url(page) -> str:
    return f"/admin/consult/results/{page.pk}/"


def staff(*groups: str, permissions: tuple[str, ...] = ()):
    user = factories.make_user()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def editor(db):
    """Wagtail's "Editors" group: pages, no results."""
    return staff("Editors")


@pytest.fixture
def results_reader(db):
    return staff("Editors", permissions=("view_results",))


@pytest.fixture
def moderator(db):
    """The "Consultation moderators" group (migration 0005): no page permissions."""
    return staff("Consultation moderators")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def busy(consultation):
    """The fixture consultation with 3 voters, 2 proposals (one pending) and
    3 comments (one pending, one deleted by its author)."""
    yes_no = consultation.questions.get(method="yes_no")
    single = consultation.questions.get(method="single")
    voters = [factories.make_user() for _ in range(3)]
    for voter in voters:
        services.cast_ballot(voter, yes_no, {"choice": "yes"})
    services.cast_ballot(voters[0], single, {"option": single.options.first().pk})
    Proposal.objects.create(page=consultation, title="Trees", body="b", status="published")
    Proposal.objects.create(page=consultation, title="Bikes", body="b", status="pending")
    Proposal.objects.create(page=consultation, title="Gone", body="b", status="withdrawn")
    Comment.objects.create(page=consultation, body="c1", status="published")
    Comment.objects.create(page=consultation, body="c2", status="pending")
    Comment.objects.create(
        page=consultation, body="", status="published", deleted_at=timezone.now()
    )
    return consultation


# --------------------------------------------------------------------------
# Figures.


def test_stats_are_counted_without_double_counting(busy):
    summary = dashboard.consultation_summary(busy)
    assert summary == {
        "voters": 3,
        "ballots_total": 4,
        "proposal_count": 2,
        "comment_count": 2,
        "pending_count": 2,
    }
    assert dashboard.ballots_per_question([busy.pk]) == {
        busy.pk: [("Car-free square?", 3), ("Which design?", 1)]
    }


def test_status_expression_matches_the_page_property(db):
    """Every combination of unset, past, current and future phase dates."""
    now = timezone.now()
    past, soon, later = now - timedelta(days=2), now + timedelta(days=1), now + timedelta(days=4)
    moments = [None, past, now - timedelta(hours=1), soon, later]
    page = factories.make_consultation()
    rows = ConsultationPage.objects.filter(pk=page.pk)
    for dates in itertools.product(moments, repeat=4):
        fields = dict(
            zip(
                ["proposals_open_at", "proposals_close_at", "voting_open_at", "voting_close_at"],
                dates,
                strict=True,
            )
        )
        rows.update(**fields)
        expected = ConsultationPage(**fields).status_at(now)
        annotated = rows.annotate_status(now).values_list("current_status", "status_rank")
        assert annotated.get() == (expected, STATUS_RANK[expected]), fields


def test_turnout_over_time_fills_empty_hours(yes_no):
    voters = [factories.make_user() for _ in range(3)]
    for voter in voters:
        services.cast_ballot(voter, yes_no, {"choice": "no"})
    start = timezone.now().replace(minute=30, second=0, microsecond=0) - timedelta(hours=5)
    Participation.objects.filter(voter=voters[0]).update(created_at=start)
    Participation.objects.filter(voter=voters[1]).update(created_at=start + timedelta(minutes=10))
    Participation.objects.filter(voter=voters[2]).update(created_at=start + timedelta(hours=3))

    buckets = dashboard.turnout_over_time(yes_no.page, "hour")
    assert [b.ballots for b in buckets] == [2, 0, 0, 1]
    assert [b.cumulative for b in buckets] == [2, 2, 2, 3]
    assert buckets[0].start.minute == 0 and buckets[0].share == 100
    assert [b.ballots for b in dashboard.turnout_over_time(yes_no.page, "day")] in ([3], [2, 1])
    assert dashboard.choose_bucket(yes_no.page, None) == "hour"
    Participation.objects.filter(voter=voters[2]).update(created_at=start + timedelta(days=5))
    assert dashboard.choose_bucket(yes_no.page, None) == "day"


def test_proposals_by_status_lists_every_status(busy):
    rows = {row["status"]: row["count"] for row in dashboard.proposals_by_status(busy)}
    assert rows == {"pending": 1, "published": 1, "rejected": 0, "withdrawn": 1, "hidden": 0}


# --------------------------------------------------------------------------
# The menu and the listing.


def sidebar_labels(html: str) -> str:
    props = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    return props.group(1) if props else ""


def test_consultations_menu_holds_the_listing_and_moderation(client, results_reader, moderator):
    html = login(client, results_reader).get("/admin/").content.decode()
    menu = sidebar_labels(html)
    assert '"Consultations"' in menu
    assert "All consultations" in menu and LISTING in menu
    # The moderation queue's items share the same submenu (one "Consultations" only).
    assert menu.count('"consultations"') == 1

    menu = sidebar_labels(login(client, moderator).get("/admin/").content.decode())
    assert "All consultations" not in menu  # no page permissions


def test_listing_shows_figures_and_links_results_for_readers(client, busy, results_reader):
    html = login(client, results_reader).get(LISTING).content.decode()
    assert busy.title in html
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(busy.title)}.*?</tr>", html, re.S).group(
        0
    )
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert "Voting open" in cells
    assert "3" in cells  # voters
    assert any(cell.startswith("4") and "Car-free square?: 3" in cell for cell in cells)
    assert results_url(busy) in row


def test_listing_hides_results_links_from_plain_editors(client, busy, editor):
    response = login(client, editor).get(LISTING)
    assert response.status_code == 200
    assert busy.title in response.content.decode()
    assert results_url(busy) not in response.content.decode()


@pytest.mark.parametrize(
    "ordering", ["voters", "-voters", "ballots_total", "status_rank", "-pending_count", "title"]
)
def test_listing_sorts(client, busy, results_reader, ordering):
    quiet = factories.make_consultation(index=busy.get_parent().specific, title="Quiet one")
    html = login(client, results_reader).get(LISTING, {"ordering": ordering}).content.decode()
    first, second = html.index(busy.title), html.index(quiet.title)
    busy_first = {
        "voters": False,
        "-voters": True,
        "ballots_total": False,
        "status_rank": None,
        "-pending_count": True,
        "title": None,
    }[ordering]
    if busy_first is not None:
        assert (first < second) is busy_first


@pytest.mark.parametrize("who", ["citizen", "moderator"])
def test_listing_refuses_people_without_page_permissions(client, busy, who, moderator):
    user = moderator if who == "moderator" else factories.make_user()
    response = login(client, user).get(LISTING)
    assert response.status_code in (302, 403)
    assert busy.title not in response.content.decode()


# --------------------------------------------------------------------------
# The results dashboard.


def test_dashboard_needs_view_results(client, busy, editor, moderator):
    for user in (editor, moderator, factories.make_user()):
        response = login(client, user).get(results_url(busy))
        assert response.status_code in (302, 403)
        assert "Car-free square?" not in response.content.decode()


def test_dashboard_shows_tallies_turnout_and_proposals(client, busy, results_reader):
    busy.results_visibility = "hidden"
    busy.save()
    html = login(client, results_reader).get(results_url(busy)).content.decode()
    # Each question's tally: a data table whose bars are decoration.
    assert "Car-free square?" in html and "Which design?" in html
    assert re.search(
        r'<tr data-key="yes">\s*<th scope="row">Yes</th>\s*<td[^>]*data-votes>3</td>', html
    )
    assert 'class="consult-bar" aria-hidden="true"' in html
    # Turnout over time, hour by hour, as a table with a caption.
    assert "Ballots cast per hour" in html
    assert re.search(r'<td class="consult-num">4</td>', html)  # total so far
    # Proposals by status.
    assert re.search(r'data-status="pending">\s*<th scope="row">Pending moderation</th>', html)
    pending = re.search(r'<tr data-status="pending">.*?</tr>', html, re.S).group(0)
    assert re.search(r"data-count>1<", pending) and re.search(r"data-comments>1<", pending)
    # Figures and downloads.
    assert re.search(r"<dt>Voters</dt><dd>3</dd>", html)
    for kind in ("results", "ballots", "proposals", "comments"):
        for fmt in ("csv", "xlsx", "json"):
            assert f"/admin/consult/results/{busy.pk}/export/{kind}.{fmt}" in html
    day = login(client, results_reader).get(results_url(busy), {"bucket": "day"})
    assert "Ballots cast per day" in day.content.decode()


def test_dashboard_of_a_consultation_without_activity(client, results_reader):
    page = factories.make_consultation()
    html = login(client, results_reader).get(results_url(page)).content.decode()
    assert "No ballots yet." in html


def test_dashboard_for_an_unknown_consultation_is_404(client, results_reader):
    assert login(client, results_reader).get("/admin/consult/results/999999/").status_code == 404


# --------------------------------------------------------------------------
# The Wagtail dashboard.


def test_home_panel_lists_open_consultations(client, busy, results_reader):
    closed = factories.make_consultation(
        title="Closed one",
        voting_open_at=timezone.now() - timedelta(days=9),
        voting_close_at=timezone.now() - timedelta(days=2),
    )
    html = login(client, results_reader).get("/admin/").content.decode()
    panel = re.search(r'id="consult-open-consultations-content".*?</table>', html, re.S).group(0)
    assert busy.title in panel and closed.title not in panel
    assert results_url(busy) in panel
    assert f"/admin/pages/{busy.pk}/edit/" in panel


def test_home_panel_without_results_permission_has_no_results_link(client, busy, editor):
    html = login(client, editor).get("/admin/").content.decode()
    assert busy.title in html
    assert results_url(busy) not in html


def test_home_panel_is_absent_without_open_consultations(client, results_reader):
    html = login(client, results_reader).get("/admin/").content.decode()
    assert "consult-open-consultations" not in html
