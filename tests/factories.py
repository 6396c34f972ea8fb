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
