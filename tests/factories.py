"""Plain builders for test data (no factory library needed)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from consult.models import ConsultationIndexPage, ConsultationPage, Option, Question

_sequence = itertools.count(1)


def make_user(*, verified: bool = True, **fields):
    n = next(_sequence)
    fields.setdefault("username", f"citizen{n}")
    fields.setdefault("email", f"citizen{n}@example.org")
    user = get_user_model().objects.create_user(password="pw-for-tests", **fields)  # noqa: S106
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def site_root() -> Page:
    """The default site's root page, rebuilt if a transactional test flushed it."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site:
        return site.root_page
    Locale.objects.get_or_create(language_code="en")
    tree_root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = tree_root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def make_index(**fields) -> ConsultationIndexPage:
    root = site_root()
    n = next(_sequence)
    fields.setdefault("title", f"Consultations {n}")
    fields.setdefault("slug", f"consultations-{n}")
    return root.add_child(instance=ConsultationIndexPage(**fields))


def voting_open(**fields) -> dict:
    now = timezone.now()
    return {
        "voting_open_at": now - timedelta(hours=1),
        "voting_close_at": now + timedelta(days=7),
        **fields,
    }


def make_consultation(
    index: ConsultationIndexPage | None = None,
    questions: list[dict] | None = None,
    **fields,
) -> ConsultationPage:
    """A live consultation, open for voting unless ``fields`` say otherwise.

    ``questions``: dicts of Question fields plus ``options`` (a list of labels
    or of Option field dicts).
    """
    index = index or make_index()
    n = next(_sequence)
    fields.setdefault("title", f"Consultation {n}")
    fields.setdefault("slug", f"consultation-{n}")
    page = ConsultationPage(**voting_open(**fields))
    if questions is None:
        questions = [{"title": "Yes or no?", "method": "yes_no"}]
    built = []
    for spec in questions:
        spec = dict(spec)
        options = spec.pop("options", [])
        question = Question(**spec)
        question.options = [
            Option(**option) if isinstance(option, dict) else Option(label=option)
            for option in options
        ]
        built.append(question)
    page.questions = built
    index.add_child(instance=page)
    return ConsultationPage.objects.get(pk=page.pk)


def first_question(page: ConsultationPage) -> Question:
    return page.questions.select_related("page").first()


# Citizens' contributions (issue #4).


def proposals_open(**fields) -> dict:
    """Consultation fields with the proposals phase open now (voting later)."""
    now = timezone.now()
    return {
        "proposals_open_at": now - timedelta(days=1),
        "proposals_close_at": now + timedelta(days=7),
        "voting_open_at": now + timedelta(days=8),
        "voting_close_at": now + timedelta(days=15),
        **fields,
    }


def make_proposal_consultation(**fields) -> ConsultationPage:
    """A live consultation collecting proposals, without questions."""
    return make_consultation(questions=[], **proposals_open(**fields))


def make_category(name: str | None = None, **fields):
    from consult.models import Category

    n = next(_sequence)
    name = name or f"Category {n}"
    fields.setdefault("slug", f"category-{n}")
    return Category.objects.create(name=name, **fields)


def make_proposal(page, author=None, **fields):
    """A proposal written straight to the database (published unless told)."""
    from consult.models import Proposal

    n = next(_sequence)
    fields.setdefault("title", f"Proposal {n}")
    fields.setdefault("body", f"Body of proposal {n}.")
    fields.setdefault("status", "published")
    return Proposal.objects.create(page=page, author=author or make_user(), **fields)


def make_comment(page, author=None, parent=None, **fields):
    """A comment (or reply) written straight to the database (published unless told)."""
    from consult.models import Comment

    fields.setdefault("body", f"Comment {next(_sequence)}.")
    fields.setdefault("status", "published")
    if parent is not None:
        fields.setdefault("proposal", parent.proposal)
        fields["thread_id"] = parent.thread_id or parent.pk
        fields["depth"] = parent.depth + 1
    return Comment.objects.create(page=page, author=author or make_user(), parent=parent, **fields)


def make_moderator(**fields):
    """A user in the "Consultation moderators" group (made by migration 0005;
    made again if a transactional test flushed it)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    migration = importlib.import_module("consult.migrations.0005_consultation_moderators")
    group = Group.objects.filter(name=migration.GROUP_NAME).first()
    if group is None or not group.permissions.exists():
        migration.create_moderators_group(apps, None)
        group = Group.objects.get(name=migration.GROUP_NAME)
    fields.setdefault("first_name", "Mo")
    user = make_user(**fields)
    user.groups.add(group)
    return get_user_model().objects.get(pk=user.pk)


def seed_contributions(page, proposals: int, comments: int, users: int = 12) -> dict:
    """Bulk-load ``proposals`` proposals and ``comments`` comments on ``page``
    (for query budgets and benchmarks): categories, supports counters, a few
    pending and hidden items, and comment threads three levels deep, half on
    the consultation itself and half on its first proposals."""
    import random

    from consult.models import Comment, Proposal

    rng = random.Random(4)  # the same data every run
    people = [make_user() for _ in range(users)]
    categories = [make_category() for _ in range(3)]
    statuses = ["published"] * 8 + ["pending", "hidden"]
    made = Proposal.objects.bulk_create(
        [
            Proposal(
                page=page,
                author=rng.choice(people),
                title=f"Proposal {n}",
                body=f"Text of proposal {n}.\n\nhttps://example.org/{n}",
                category=rng.choice([None, *categories]),
                status=rng.choice(statuses),
                supports=rng.randrange(0, 50),
            )
            for n in range(proposals)
        ]
    )
    published = [p for p in made if p.status == "published"][:20] or [None]

    def wave(parents, count, depth):
        rows = []
        for n in range(count):
            parent = rng.choice(parents) if parents else None
            target = parent.proposal if parent else (None if n % 2 else rng.choice(published))
            rows.append(
                Comment(
                    page=page,
                    proposal=target,
                    parent=parent,
                    thread_id=(parent.thread_id or parent.pk) if parent else None,
                    depth=depth,
                    author=rng.choice(people),
                    body=f"Comment {depth}.{n} https://example.org/c/{n}",
                    stance=rng.choice(["for", "against", "neutral"]),
                    status=rng.choice(statuses),
                )
            )
        return Comment.objects.bulk_create(rows)

    roots = wave([], max(1, comments // 4), 1)
    replies = wave(roots, comments // 2, 2)
    deepest = wave(replies, comments - len(roots) - len(replies), 3)
    return {"users": people, "proposals": made, "comments": [*roots, *replies, *deepest]}
