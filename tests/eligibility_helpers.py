"""Builders for eligibility tests: pages with rules, censuses, claims."""

from __future__ import annotations

import io
from datetime import date

from consult.eligibility import census
from consult.models import Census, ConsultationPage
from tests import factories


def with_rules(page: ConsultationPage, *rules: tuple[str, dict]) -> ConsultationPage:
    """``page`` with the eligibility blocks ``rules`` (key, value), saved."""
    page.eligibility = [(key, {"actions": [], **value}) for key, value in rules]
    page.save()
    return ConsultationPage.objects.get(pk=page.pk)


def make_census(name: str = "residents", rows: list[tuple[str, str, str]] | None = None) -> Census:
    """A census imported from ``rows`` of (identifier, birth date, postcode)."""
    rows = rows if rows is not None else [("AB-123456", "1990-04-01", "10115")]
    text = "id,born,zip\n" + "".join(f"{i},{b},{z}\n" for i, b, z in rows)
    record = Census.objects.create(name=name)
    census.import_census(
        record, io.StringIO(text), census.Columns("id", "born", "zip"), replace=False
    )
    record.refresh_from_db()
    return record


def born_years_ago(years: int) -> str:
    today = date.today()
    return date(today.year - years, 1, 1).isoformat()


def page_with(*rules: tuple[str, dict], **fields) -> ConsultationPage:
    return with_rules(factories.make_consultation(**fields), *rules)
