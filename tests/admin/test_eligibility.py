"""Eligibility in the Wagtail admin: the rules tab, census upload with preview
and streamed import, releasing a claim (logged), voting-code letters."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry, PageLogEntry

from consult.eligibility import census as census_service
from consult.models import Census, CensusEntry, VotingCode, VotingCodeBatch
from tests import factories
from tests.eligibility_helpers import make_census

pytestmark = pytest.mark.django_db

CSV = (
    "Nr;Geburtsdatum;PLZ\n"
    "00123-45;01.02.1990;10 115\n"
    ";01.02.1990;10115\n"
    "AB 9;1990-31-31;10115\n"
    "ab-77;1985-12-24;20095\n"
)


def test_the_page_editor_has_a_who_may_take_part_tab(admin_client):
    page = factories.make_consultation()
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Who may take part" in html
    for label in ("Listed in a census", "Minimum age", "Voting code from a letter"):
        assert label in html


def test_upload_preview_and_streamed_import(admin_client):
    record = Census.objects.create(name="residents")
    upload = admin_client.post(
        f"/admin/consult/census/{record.pk}/upload/",
        {"file": SimpleUploadedFile("c.csv", CSV.encode()), "delimiter": ";"},
    )
    assert upload.status_code == 302
    preview_url = f"/admin/consult/census/{record.pk}/preview/"
    mapping = admin_client.get(preview_url)
    # Columns are guessed from the header.
    assert b'value="Nr" selected' in mapping.content
    preview = admin_client.get(
        preview_url, {"identifier": "Nr", "birth_date": "Geburtsdatum", "postcode": "PLZ"}
    )
    html = preview.content.decode()
    assert "12345" in html and "1990-02-01" in html and "10115" in html
    assert "4 rows, 2 of them rejected." in html
    assert "Line 3: no identifier" in html and "Line 4: birth date not understood" in html

    response = admin_client.post(
        f"/admin/consult/census/{record.pk}/import/",
        {"identifier": "Nr", "birth_date": "Geburtsdatum", "postcode": "PLZ"},
    )
    streamed = b"".join(response.streaming_content).decode()
    assert "Done: 2 entries." in streamed
    record.refresh_from_db()
    assert (record.status, record.entries, record.rows_rejected) == ("ready", 2, 2)
    assert CensusEntry.objects.filter(
        census=record, digest=census_service.entry_digest("12345", "1990-02-01")
    ).exists()


def test_releasing_a_claim_is_logged(admin_client):
    record = make_census(rows=[("A1", "1990-01-01", "")])
    holder = factories.make_user()
    entry = census_service.claim(holder, ["residents"], "A1", "1990-01-01")
    found = admin_client.get("/admin/consult/census/", {"account": holder.email})
    assert f"/admin/consult/census/entries/{entry.pk}/release/" in found.content.decode()
    admin_client.post(f"/admin/consult/census/entries/{entry.pk}/release/")
    entry.refresh_from_db()
    assert entry.claimed_by is None
    logged = ModelLogEntry.objects.get(action="consult.census_release")
    assert logged.object_id == str(record.pk)
    assert logged.data == {"entry": entry.pk, "account": holder.pk}


def test_citizens_cannot_reach_the_census_admin(client, citizen):
    client.force_login(citizen)
    assert client.get("/admin/consult/census/").status_code in (302, 403)


def test_letters_one_per_code_with_a_qr_code_and_revocation(admin_client):
    page = factories.make_consultation(title="Park of the future")
    response = admin_client.post(f"/admin/consult/codes/{page.pk}/", {"name": "Ward 3", "count": 3})
    html = response.content.decode()
    assert html.count('class="letter"') == 3
    assert html.count("<svg") == 3
    codes_shown = re.findall(r'<p class="code">([A-Z0-9-]+)</p>', html)
    assert len(codes_shown) == 3
    assert "Park of the future" in html
    assert VotingCode.objects.count() == 3
    batch = VotingCodeBatch.objects.get()
    assert PageLogEntry.objects.filter(action="consult.codes_generate", page=page).exists()

    admin_client.post(f"/admin/consult/codes/batches/{batch.pk}/revoke/")
    batch.refresh_from_db()
    assert batch.revoked_at is not None
