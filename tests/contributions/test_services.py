"""The contribution services and permission predicates, called directly."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consult import permissions, signals
from consult.contributions import services
from consult.exceptions import (
    AlreadyReported,
    CommentsDisabled,
    EmailNotVerified,
    InvalidContribution,
    NoSupport,
    NotAuthenticated,
    NotAuthor,
    NotEditable,
    NotPublished,
    ProposalsClosed,
)
from consult.models import Comment, CommentFeed, Proposal, Report, Support
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="post")


@pytest.fixture
def pre_page(db):
    return factories.make_proposal_consultation(moderation="pre")


@pytest.fixture
def sent(monkeypatch):
    """Websocket sends (page_id, topic, version, message), as broadcast makes them."""
    calls = []
    monkeypatch.setattr(
        "consult.realtime.broadcast._send", lambda *args: calls.append(args), raising=True
    )
    return calls


def submit(user, page, **fields):
    return services.submit_proposal(
        user, page, **{"title": "More trees", "body": "Plant trees.", **fields}
    )


# ---------------------------------------------------------------- proposals


def test_post_moderated_proposal_is_published(page, citizen):
    proposal = submit(citizen, page, title="  More\ttrees ")
    assert proposal.status == "published"
    assert proposal.title == "More trees"
    assert proposal.author == citizen


def test_pre_moderated_proposal_waits(pre_page, citizen):
    assert submit(citizen, pre_page).status == "pending"


def test_submit_sends_signal(page, citizen):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signals.proposal_submitted.connect(receiver)
    try:
        proposal = submit(citizen, page)
    finally:
        signals.proposal_submitted.disconnect(receiver)
    assert received == [
        {"signal": signals.proposal_submitted, "proposal": proposal, "user": citizen}
    ]


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(None, None), (1, 2), (-2, -1)],
    ids=["phase-off", "not-yet", "over"],
)
def test_proposals_only_in_their_phase(page, citizen, opens, closes):
    now = timezone.now()
    page.proposals_open_at = now + timedelta(days=opens) if opens is not None else None
    page.proposals_close_at = now + timedelta(days=closes) if closes is not None else None
    page.save()
    with pytest.raises(ProposalsClosed):
        submit(citizen, page)
    assert not Proposal.objects.exists()


def test_anonymous_and_unverified_cannot_propose(page, unverified):
    with pytest.raises(NotAuthenticated):
        submit(AnonymousUser(), page)
    with pytest.raises(EmailNotVerified) as refused:
        submit(unverified, page)
    assert "take part" in str(refused.value.detail)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "at most 200"),
        ({"body": "   \n "}, "required"),
        ({"body": 12}, "must be text"),
        ({"latitude": 91, "longitude": 0}, "between -90 and 90"),
        ({"latitude": 0, "longitude": -180.5}, "between -180 and 180"),
        ({"latitude": 10}, "both"),
        ({"latitude": "nan", "longitude": 1}, "latitude"),
        ({"latitude": float("inf"), "longitude": 1}, "latitude"),
        ({"latitude": True, "longitude": 1}, "number"),
        ({"latitude": [1], "longitude": 1}, "number"),
        ({"category": 987654}, "no such category"),
        ({"category": "abc"}, "must be an id"),
        ({"category": 10**30}, "must be an id"),
    ],
)
def test_invalid_proposals_are_refused(page, citizen, fields, message):
    with pytest.raises(InvalidContribution) as refused:
        submit(citizen, page, **fields)
    assert message in str(refused.value.detail)
    assert not Proposal.objects.exists()


def test_body_length_follows_the_setting(page, citizen, settings):
    settings.CONSULT = {"PROPOSAL_MAX_LENGTH": 20}
    with pytest.raises(InvalidContribution):
        submit(citizen, page, body="x" * 21)
    assert submit(citizen, page, body="x" * 20).body == "x" * 20


def test_location_and_category_are_stored(page, citizen):
    category = factories.make_category("Mobility")
    proposal = submit(citizen, page, category=category.pk, latitude="48.1371549", longitude=-11.5)
    proposal.refresh_from_db()
    assert proposal.category == category
    assert proposal.latitude == Decimal("48.137155")
    assert proposal.longitude == Decimal("-11.500000")


def test_text_is_normalised_not_interpreted(page, citizen):
    proposal = submit(
        citizen, page, body="a\r\nb\x00c\u202e\n\n\n\nd <b>bold</b>  ", title="<i>t</i>"
    )
    assert proposal.body == "a\nbc\n\nd <b>bold</b>"
    assert proposal.title == "<i>t</i>"


def test_author_edits_while_pending(pre_page, citizen):
    proposal = submit(citizen, pre_page)
    edited = services.edit_proposal(citizen, proposal, title="Even more trees")
    assert edited.title == "Even more trees"
    assert edited.body == "Plant trees."


def test_only_the_author_edits_and_only_while_pending(pre_page, page, citizen):
    other = factories.make_user()
    pending = submit(citizen, pre_page)
    with pytest.raises(NotAuthor):
        services.edit_proposal(other, pending, title="Mine now")
    published = submit(citizen, page)
    with pytest.raises(NotEditable):
        services.edit_proposal(citizen, published, title="Changed")


def test_withdraw(page, citizen):
    proposal = submit(citizen, page)
    with pytest.raises(NotAuthor):
        services.withdraw_proposal(factories.make_user(), proposal)
    assert services.withdraw_proposal(citizen, proposal).status == "withdrawn"
    with pytest.raises(NotEditable):
        services.withdraw_proposal(citizen, Proposal.objects.get(pk=proposal.pk))


# ----------------------------------------------------------------- supports


def test_support_counts_once_and_is_withdrawn(
    page, citizen, sent, django_capture_on_commit_callbacks
):
    proposal = factories.make_proposal(page)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.support_proposal(citizen, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.support_proposal(citizen, proposal)
    assert (first.changed, first.supports) == (True, 1)
    assert (again.changed, again.supports) == (False, 1)
    assert Support.objects.filter(proposal=proposal).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.withdraw_support(citizen, proposal)
    assert (withdrawn.changed, withdrawn.supports) == (True, 0)
    with pytest.raises(NoSupport):
        services.withdraw_support(citizen, proposal)

    assert [(topic, version, message) for _page, topic, version, message in sent] == [
        (
            f"proposal:{proposal.pk}",
            1,
            {"type": "supports", "proposal": proposal.pk, "supports": 1},
        ),
        (
            f"proposal:{proposal.pk}",
            2,
            {"type": "supports", "proposal": proposal.pk, "supports": 0},
        ),
    ]


def test_support_needs_published_proposal_and_open_phase(page, citizen):
    pending = factories.make_proposal(page, status="pending")
    with pytest.raises(NotPublished):
        services.support_proposal(citizen, pending)
    proposal = factories.make_proposal(page)
    page.proposals_close_at = timezone.now() - timedelta(minutes=1)
    page.save()
    proposal = Proposal.objects.select_related("page").get(pk=proposal.pk)
    with pytest.raises(ProposalsClosed):
        services.support_proposal(citizen, proposal)
    with pytest.raises(ProposalsClosed):
        services.withdraw_support(citizen, proposal)


def test_threshold(page):
    page.support_threshold = 2
    proposal = factories.make_proposal(page)
    for _ in range(2):
        services.support_proposal(factories.make_user(), proposal)
    proposal.refresh_from_db()
    assert proposal.supports == 2
    assert proposal.reached_threshold(page.support_threshold)
    assert not proposal.reached_threshold(3)
    assert not proposal.reached_threshold(None)


# ----------------------------------------------------------------- comments


def test_comment_and_replies_nest_three_deep(
    page, citizen, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        top = services.post_comment(citizen, page, body="Top", stance="for")
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_comment(citizen, page, body="Reply", parent=top.pk)
    with django_capture_on_commit_callbacks(execute=True):
        deepest = services.post_comment(citizen, page, body="Deeper", parent=reply)
    assert (top.depth, reply.depth, deepest.depth) == (1, 2, 3)
    assert reply.thread_id == deepest.thread_id == top.pk
    assert top.stance == "for" and reply.stance == "neutral"
    with pytest.raises(InvalidContribution) as refused:
        services.post_comment(citizen, page, body="Too deep", parent=deepest)
    assert "3 levels" in str(refused.value.detail)
    versions = [version for _page, topic, version, _m in sent if topic == f"comments:{page.pk}"]
    assert versions == [1, 2, 3]
    assert sent[-1][3] == {"type": "comments", "consultation": page.pk, "count": 3}


def test_comment_on_a_proposal_and_replies_follow_it(page, citizen):
    proposal = factories.make_proposal(page)
    comment = services.post_comment(citizen, page, body="On it", proposal=proposal.pk)
    reply = services.post_comment(citizen, page, body="Reply", parent=comment)
    assert comment.proposal == proposal and reply.proposal == proposal
    other = factories.make_proposal(page)
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, body="Mixed", parent=comment, proposal=other.pk)


@pytest.mark.parametrize(
    "fields",
    [
        {"stance": "maybe"},
        {"parent": 987654},
        {"parent": "1; drop table"},
        {"proposal": 987654},
        {"proposal": {"id": 1}},
        {"body": ""},
        {"body": None},
        {"body": ["a"]},
    ],
)
def test_invalid_comments(page, citizen, fields):
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, **{"body": "Hello", **fields})
    assert not Comment.objects.exists()


def test_no_reply_to_hidden_pending_or_removed_comments(page, citizen):
    for status in ("hidden", "pending", "rejected"):
        parent = factories.make_comment(page, status=status)
        with pytest.raises(InvalidContribution):
            services.post_comment(citizen, page, body="Hi", parent=parent)
    removed = factories.make_comment(page, deleted_at=timezone.now(), body="")
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, body="Hi", parent=removed)


def test_no_comment_on_unpublished_proposal_or_other_consultation(page, citizen):
    pending = factories.make_proposal(page, status="pending")
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, body="Hi", proposal=pending)
    elsewhere = factories.make_comment(factories.make_proposal_consultation())
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, body="Hi", parent=elsewhere.pk)


def test_comments_disabled(page, citizen):
    page.comments_enabled = False
    page.save()
    with pytest.raises(CommentsDisabled):
        services.post_comment(citizen, page, body="Hello")


def test_comment_length_setting(page, citizen, settings):
    settings.CONSULT = {"COMMENT_MAX_LENGTH": 10}
    with pytest.raises(InvalidContribution):
        services.post_comment(citizen, page, body="x" * 11)
    assert services.post_comment(citizen, page, body="x" * 10)


def test_pre_moderated_comment_is_pending_and_not_broadcast(pre_page, citizen, sent):
    comment = services.post_comment(citizen, pre_page, body="Hello")
    assert comment.status == "pending"
    assert not CommentFeed.objects.filter(page=pre_page).exists()
    assert sent == []


def test_edit_within_the_window(page, citizen, settings):
    settings.CONSULT = {"COMMENT_EDIT_WINDOW": 60}
    comment = services.post_comment(citizen, page, body="Helo")
    edited = services.edit_comment(citizen, comment, body="Hello", stance="against")
    assert (edited.body, edited.stance) == ("Hello", "against")
    assert edited.edited_at is not None
    with pytest.raises(NotAuthor):
        services.edit_comment(factories.make_user(), comment, body="Mine")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    late = Comment.objects.select_related("page").get(pk=comment.pk)
    with pytest.raises(NotEditable) as refused:
        services.edit_comment(citizen, late, body="Too late")
    assert "time for editing" in str(refused.value.detail)


def test_editing_a_published_comment_under_pre_moderation_needs_approval_again(pre_page, citizen):
    comment = factories.make_comment(pre_page, author=citizen)
    edited = services.edit_comment(citizen, comment, body="Changed")
    assert edited.status == "pending"


def test_unchanged_edit_changes_nothing(page, citizen):
    comment = services.post_comment(citizen, page, body="Same")
    assert services.edit_comment(citizen, comment, body="Same").edited_at is None


def test_delete_keeps_the_thread(page, citizen):
    comment = services.post_comment(citizen, page, body="Secret")
    reply = services.post_comment(factories.make_user(), page, body="Reply", parent=comment)
    deleted = services.delete_comment(citizen, comment)
    assert deleted.body == "" and deleted.deleted_at is not None
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    with pytest.raises(NotEditable):
        services.delete_comment(citizen, deleted)
    with pytest.raises(NotEditable):
        services.edit_comment(citizen, deleted, body="Back")


# ------------------------------------------------------------------ reports


def test_report_once_per_user_and_item(page, citizen):
    comment = factories.make_comment(page)
    proposal = factories.make_proposal(page)
    services.report(citizen, comment, reason="spam")
    services.report(citizen, proposal, reason="abuse", details="Insults")
    with pytest.raises(AlreadyReported):
        services.report(citizen, comment, reason="abuse")
    services.report(factories.make_user(), comment, reason="spam")
    assert Report.objects.filter(comment=comment).count() == 2
    assert Report.objects.get(proposal=proposal).details == "Insults"


def test_report_rules(page, citizen):
    comment = factories.make_comment(page)
    with pytest.raises(InvalidContribution):
        services.report(citizen, comment, reason="boring")
    with pytest.raises(InvalidContribution):
        services.report(citizen, comment, reason="other")  # needs details
    with pytest.raises(NotAuthenticated):
        services.report(AnonymousUser(), comment, reason="spam")
    hidden = factories.make_comment(page, status="hidden")
    with pytest.raises(services.NotFound):
        services.report(citizen, hidden, reason="spam")
    assert not Report.objects.exists()


# -------------------------------------------------------------- permissions


def test_permission_predicates(page, pre_page, citizen, unverified):
    anonymous = AnonymousUser()
    assert permissions.can_propose(citizen, page)
    assert not permissions.can_propose(anonymous, page)
    assert not permissions.can_propose(unverified, page)
    assert permissions.can_comment(citizen, page)
    page.comments_enabled = False
    assert not permissions.can_comment(citizen, page)
    proposal = factories.make_proposal(page, author=citizen)
    assert permissions.can_support(citizen, proposal)
    assert not permissions.can_support(anonymous, proposal)
    assert permissions.can_report(citizen) and not permissions.can_report(anonymous)
    pending = factories.make_proposal(pre_page, author=citizen, status="pending")
    assert permissions.can_edit_proposal(citizen, pending)
    assert not permissions.can_edit_proposal(factories.make_user(), pending)
    assert permissions.can_see_proposal(citizen, pending)
    assert not permissions.can_see_proposal(anonymous, pending)
    assert permissions.can_withdraw_proposal(citizen, pending)


def test_requires_no_verified_email_without_the_setting(page, unverified, settings):
    settings.CONSULT = {"REQUIRE_VERIFIED_EMAIL": False}
    assert permissions.can_propose(unverified, page)
