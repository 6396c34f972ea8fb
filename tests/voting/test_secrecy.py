"""Secret ballots: no table, admin screen or log links a voter to a choice."""

import logging

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models

from consult.models import Ballot, Participation
from consult.voting import services
from tests import factories


@pytest.fixture
def cast(consultation, single):
    voters = [factories.make_user() for _ in range(20)]
    options = list(single.options.values_list("pk", flat=True))
    for n, voter in enumerate(voters):
        services.cast_ballot(voter, single, {"option": options[n % 3]})
    return voters


def user_columns(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    ]


def test_no_table_holds_both_a_user_and_ballot_content(cast):
    """Every table of the app: a table that points at users holds no choice,
    and the table holding choices points at no user and records no time."""
    for model in apps.get_app_config("consult").get_models():
        fields = {field.name for field in model._meta.concrete_fields}
        if user_columns(model):
            assert "content" not in fields, model
    ballot_fields = {f.name: f for f in Ballot._meta.concrete_fields}
    assert not user_columns(Ballot)
    assert not any(
        isinstance(f, models.DateTimeField | models.DateField) for f in ballot_fields.values()
    )
    assert isinstance(ballot_fields["id"], models.UUIDField)


def test_insertion_order_does_not_link_the_tables(cast, single):
    """Participations are numbered in order; ballots carry random keys, so
    sorting either table gives no order that lines up with the other."""
    voters_in_order = list(
        Participation.objects.filter(question=single).order_by("pk").values_list("voter", flat=True)
    )
    assert voters_in_order == [v.pk for v in cast]
    by_key = list(
        Ballot.objects.filter(question=single).order_by("pk").values_list("content", flat=True)
    )
    options = list(single.options.values_list("pk", flat=True))
    cast_order = [{"option": options[n % 3]} for n in range(len(cast))]
    assert by_key != cast_order


def test_ballots_are_in_no_admin(cast):
    from wagtail.snippets.models import get_snippet_models

    assert Ballot not in admin.site._registry
    assert Participation not in admin.site._registry
    assert Ballot not in get_snippet_models()


def test_casting_logs_nothing_about_the_choice(consultation, single, citizen, caplog):
    option = single.options.first()
    with caplog.at_level(logging.DEBUG):
        services.cast_ballot(citizen, single, {"option": option.pk})
    for record in caplog.records:
        message = record.getMessage()
        assert citizen.username not in message and citizen.email not in message
