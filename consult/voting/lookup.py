"""The question a ballot request acts on, with everything its rules read, in one query.

A ballot request reads a handful of the page's fields (phases, vote change,
secrecy, results visibility), which page of the translation group holds the
ballots, whether any page privacy restriction applies to the page, and
whether the voter has a verified email address. Loading the whole Wagtail
page for that, then asking the other questions separately, was half the
cost of a ballot. Here they are one narrow query, and the answers are handed
to ``consult.voting.translations``, ``consult.privacy`` and
``consult.permissions``, which would otherwise look them up themselves.

The statement is written out rather than composed with the ORM: composing
and compiling that query (a join through Wagtail's page inheritance and two
subqueries) cost more than running it, on every ballot. Values still pass
through Django's converters, so SQLite and PostgreSQL give the same objects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Field
from django.http import Http404
from wagtail.models import Page, PageViewRestriction

from consult import conf, permissions, privacy
from consult.models import ConsultationPage, Question
from consult.voting import translations

#: The page fields the ballot, tally and own-ballot rules read. Reading any
#: other field of a page loaded here costs a query of its own.
BALLOT_PAGE_FIELDS = frozenset(
    {
        "id",
        "page_ptr",
        "title",
        "path",
        "live",
        "translation_key",
        "locale",
        "voting_open_at",
        "voting_close_at",
        "results_visibility",
        "ballot_secrecy",
        "allow_vote_change",
        # The eligibility rules: a page without any then costs no query more.
        "eligibility",
    }
)

#: A column's converters, as the ORM applies them: ``(functions, expression)``.
Converters = tuple[list[Callable[[Any, Any, Any], Any]], Any]


def _column(field: Field) -> tuple[str, Converters]:
    """``table.column`` of ``field`` and the converters the ORM would apply to it."""
    quote = connection.ops.quote_name
    col = field.get_col(field.model._meta.db_table)
    functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
    return f"{quote(field.model._meta.db_table)}.{quote(field.column)}", (functions, col)


@dataclass(frozen=True)
class _Statement:
    sql: str
    converters: list[Converters]
    #: The attnames of the question's columns, then of the page's.
    question_names: list[str]
    page_names: list[str]


@functools.cache
def _statement(vendor: str, with_voter: bool) -> _Statement:
    """The SQL, the converters of its columns and the fields they fill.

    Cached per database vendor: the SQL depends only on the models, and the
    converters only on the backend and the settings (SQLite's parse its text
    datetimes, UUIDs and booleans), not on the connection they came from.
    """
    quote = connection.ops.quote_name
    question_fields = Question._meta.concrete_fields
    page_fields = [
        f for f in ConsultationPage._meta.concrete_fields if f.name in BALLOT_PAGE_FIELDS
    ]
    columns = [_column(field) for field in (*question_fields, *page_fields)]
    page_table = quote(Page._meta.db_table)
    consultation_table = quote(ConsultationPage._meta.db_table)
    question_table = quote(Question._meta.db_table)
    source = (
        f"(SELECT MIN(source.id) FROM {page_table} source "  # noqa: S608
        f"WHERE source.translation_key = {page_table}.translation_key)"
    )
    restriction_table = quote(PageViewRestriction._meta.db_table)
    restricted = (
        f"EXISTS (SELECT 1 FROM {restriction_table} restriction "  # noqa: S608
        f"JOIN {page_table} restricted ON restricted.id = restriction.page_id "
        f"WHERE SUBSTR({page_table}.path, 1, LENGTH(restricted.path)) = restricted.path)"
    )
    verified = "NULL"
    if with_voter:
        from allauth.account.models import EmailAddress

        verified = (
            f"EXISTS (SELECT 1 FROM {quote(EmailAddress._meta.db_table)} email "  # noqa: S608
            "WHERE email.user_id = %s AND email.verified = %s)"
        )
    sql = (
        f"SELECT {', '.join(name for name, _converters in columns)}, {source}, {restricted}, "  # noqa: S608
        f"{verified} "
        f"FROM {question_table} "
        f"JOIN {consultation_table} ON {consultation_table}.page_ptr_id = {question_table}.page_id "
        f"JOIN {page_table} ON {page_table}.id = {consultation_table}.page_ptr_id "
        f"WHERE {question_table}.id = %s AND {page_table}.live = %s"
    )
    return _Statement(
        sql,
        [converters for _name, converters in columns],
        [field.attname for field in question_fields],
        [field.attname for field in page_fields],
    )


def _convert(values: Sequence[Any], converters: list[Converters]) -> list[Any]:
    converted = []
    for value, (functions, col) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, col, connection)
        converted.append(value)
    return converted


def live_question(question_id: int, voter=None) -> Question:
    """The question ``question_id`` of a live consultation, or ``Http404``.

    With ``voter``, whether they have a verified email address comes along
    (when voting requires one) and is kept on the voter for the request.
    """
    with_voter = bool(
        voter is not None
        and permissions.is_signed_in(voter)
        and conf.get("REQUIRE_VERIFIED_EMAIL")
        and conf.allauth_installed()
    )
    statement = _statement(connection.vendor, with_voter)
    params = [voter.pk, True] if with_voter else []
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*params, question_id, True])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    *values, source_id, restricted, verified = row
    values = _convert(values, statement.converters)
    split = len(statement.question_names)
    question = Question.from_db(DEFAULT_DB_ALIAS, statement.question_names, values[:split])
    question.page = ConsultationPage.from_db(DEFAULT_DB_ALIAS, statement.page_names, values[split:])
    translations.remember_source_page(question.page, source_id)
    privacy.remember_restricted(question.page, bool(restricted))
    if with_voter:
        permissions.remember_verified_email(voter, bool(verified))
    return question
