"""The ballot log and receipts (SPEC §11): what voting writes, what is served."""

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from consult import ledger
from consult.ledger import receipts
from consult.ledger.log import definition, head
from consult.models import LogEntry, LogHead
from consult.verify.chain import canonical, entry_hash, genesis
from consult.voting import services
from tests import factories

API = "/consult/api/v1"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def page(db):
    return factories.make_consultation(
        ballot_secrecy="secret",
        results_visibility="live",
        questions=[
            {"title": "Design?", "method": "single", "options": ["Grün", "Hall"]},
            {"title": "Car-free?", "method": "yes_no"},
        ],
    )


@pytest.fixture
def question(page):
    return page.questions.select_related("page").get(method="single")


def entries(question):
    return list(LogEntry.objects.filter(question=question).order_by("seq"))


def test_entry_hash_follows_the_spec_wording():
    # Written out by hand from SPEC §11: sorted keys, "," and ":", non-ASCII
    # as itself, hash over prev + "\n" + that text in UTF-8.
    definition = {"id": 7, "method": "single", "options": [{"id": 1, "label": "Grün", "cost": 0}]}
    by_hand = '{"id":7,"method":"single","options":[{"cost":0,"id":1,"label":"Grün"}]}'
    assert canonical(definition).decode() == by_hand
    assert genesis(definition) == sha(by_hand)
    entry = {
        "seq": 1,
        "event": "cast",
        "receipt_hash": "ab" * 32,
        "ballot": {"option": 1},
        "prev": sha(by_hand),
    }
    text = (
        f'{{"ballot":{{"option":1}},"event":"cast","prev":"{sha(by_hand)}",'
        f'"receipt_hash":"{"ab" * 32}","seq":1}}'
    )
    assert entry_hash(entry) == sha(sha(by_hand) + "\n" + text)
    assert entry_hash({**entry, "hash": "ignored"}) == entry_hash(entry)


def test_cast_replace_withdraw_chain_in_one_log(question, citizen):
    green, hall = question.options.all()
    first = services.cast_ballot(citizen, question, {"option": green.pk})
    second = services.cast_ballot(citizen, question, {"option": hall.pk})
    services.retract_ballot(citizen, question)

    log = entries(question)
    assert [(e.seq, e.event, e.ballot) for e in log] == [
        (1, "cast", {"option": green.pk}),
        (2, "replace", {"option": hall.pk}),
        (3, "withdraw", None),
    ]
    assert first.receipt == second.receipt
    assert {e.receipt_hash for e in log} == {sha(first.receipt)}
    assert log[0].prev == genesis(definition(question))
    for before, entry in zip(log, log[1:], strict=False):
        assert entry.prev == before.hash
    for entry in log:
        fields = {f: getattr(entry, f) for f in ("seq", "event", "receipt_hash", "ballot", "prev")}
        assert entry.hash == entry_hash(fields)
    assert head(question).hash == log[-1].hash
    assert LogHead.objects.get(question=question).seq == 3


def test_receipts_differ_between_voters_and_questions(page, question, citizen):
    other = factories.make_user()
    yes_no = page.questions.get(method="yes_no")
    mine = receipts.receipt_for(question.pk, citizen.pk)
    assert mine != receipts.receipt_for(question.pk, other.pk)
    assert mine != receipts.receipt_for(yes_no.pk, citizen.pk)
    assert len(mine) == 32 and set(mine) <= receipts.ALPHABET  # 160 bits


def test_receipt_is_keyed_outside_the_database(question, citizen, settings):
    before = receipts.receipt_for(question.pk, citizen.pk)
    settings.CONSULT = {**settings.CONSULT, "BALLOT_KEY": "another key"}
    assert receipts.receipt_for(question.pk, citizen.pk) != before


def test_nothing_but_the_receipt_hash_is_stored(question, citizen):
    result = services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    with connection.cursor() as cursor:
        for table in ("consult_logentry", "consult_loghead", "consult_ballot"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            assert result.receipt not in json.dumps(cursor.fetchall(), default=str)


def test_refused_ballot_writes_no_entry(question, citizen):
    page = question.page
    page.allow_vote_change = False
    page.save()
    services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    with pytest.raises(Exception, match="already"):
        services.cast_ballot(citizen, question, {"option": question.options.last().pk})
    assert [e.event for e in entries(question)] == ["cast"]


def test_log_entries_cannot_be_changed(question, citizen):
    services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(question=question).update(ballot={"option": 0})
    assert entries(question)[0].ballot == {"option": question.options.first().pk}


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_update_and_delete_of_entries(question, citizen):
    assert connection.vendor == "postgresql"
    services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    for statement in ("UPDATE consult_logentry SET event = 'cast'", "DELETE FROM consult_logentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert len(entries(question)) == 1


def test_translation_logs_on_the_source_question(question, citizen):
    from wagtail.models import Locale

    french = Locale.objects.get_or_create(language_code="fr")[0]
    translation = question.page.copy_for_translation(french, copy_parents=True)
    translation.save_revision().publish()
    translated = translation.questions.select_related("page").get(method="single")
    option = translated.options.order_by("sort_order", "pk").first()
    result = services.cast_ballot(citizen, translated, {"option": option.pk})

    assert not LogEntry.objects.filter(question=translated).exists()
    (entry,) = entries(question)
    assert entry.ballot == {"option": question.options.order_by("sort_order", "pk").first().pk}
    assert entry.receipt_hash == sha(result.receipt)
    assert services.own_receipt(citizen, translated) == result.receipt


# ---------------------------------------------------------------------------
# Endpoints


def test_log_endpoint_serves_the_chain_when_results_are_visible(question, citizen):
    services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    response = Client().get(f"{API}/questions/{question.pk}/log/")
    assert response.status_code == 200
    body = json.loads(b"".join(response.streaming_content))
    assert body["definition"] == definition(question)
    assert [e["seq"] for e in body["entries"]] == [1]
    assert body["entries"][0]["prev"] == genesis(body["definition"])
    assert body["head"] == body["entries"][0]["hash"] == entry_hash(body["entries"][0])


def test_empty_log_has_the_genesis_head(question):
    body = json.loads(
        b"".join(Client().get(f"{API}/questions/{question.pk}/log/").streaming_content)
    )
    assert body["entries"] == []
    assert body["head"] == genesis(body["definition"])
    assert body["definition"]["options"][0]["label"] == "Grün"


def test_log_is_hidden_with_the_tally(question):
    page = question.page
    page.results_visibility = "after_close"
    page.save()
    response = Client().get(f"{API}/questions/{question.pk}/log/")
    assert response.status_code == 403
    assert response.json()["code"] == "results_hidden"


def test_receipt_endpoint_says_counted_then_withdrawn(question, citizen):
    receipt = services.cast_ballot(
        citizen, question, {"option": question.options.first().pk}
    ).receipt
    url = f"{API}/receipts/{receipt}/"
    assert Client().get(url).json() == {
        "question": question.pk,
        "consultation": question.page.pk,
        "seq": 1,
        "status": "counted",
    }
    services.retract_ballot(citizen, question)
    typed = receipts.grouped(receipt).upper()  # as a voter may copy it from a printout
    assert Client().get(f"{API}/receipts/{typed}/").json()["status"] == "withdrawn"
    assert Client().get(f"{API}/receipts/{typed}/").json()["seq"] == 2


@pytest.mark.parametrize("receipt", ["a" * 32, "short", "1" * 32, "%00", "a" * 5000])
def test_unknown_or_malformed_receipts_are_404(question, receipt):
    response = Client().get(f"{API}/receipts/{receipt}/")
    assert response.status_code == 404
    assert response.json()["code"] in {"unknown_receipt", "not_found"}


def test_voter_reads_their_receipt_back_while_signed_in(question, citizen):
    client = Client()
    client.force_login(citizen)
    url = f"{API}/questions/{question.pk}/ballot/"
    cast = client.post(
        url, {"option": question.options.first().pk}, content_type="application/json"
    )
    assert cast.status_code == 201
    assert client.get(url).json()["receipt"] == cast.json()["receipt"]
    assert Client().get(url).status_code in (401, 403)


def test_keys_endpoint_serves_the_public_key_only(settings):
    from consult.ledger import signing

    key = signing.new_key_text()
    settings.CONSULT = {**settings.CONSULT, "SIGNING_KEY": key}
    body = Client().get(f"{API}/keys/").json()
    assert body == {"algorithm": "Ed25519", "public_key": signing.public_key_text()}
    assert key not in json.dumps(body)


def test_keys_endpoint_without_a_key_says_so(db, settings):
    settings.CONSULT = {**settings.CONSULT, "SIGNING_KEY": None}
    response = Client().get(f"{API}/keys/")
    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"


def test_append_is_one_call_per_ballot(question, citizen, monkeypatch):
    calls = []
    real = ledger.append
    monkeypatch.setattr(ledger, "append", lambda *a: calls.append(a[1]) or real(*a))
    services.cast_ballot(citizen, question, {"option": question.options.first().pk})
    services.cast_ballot(citizen, question, {"option": question.options.last().pk})
    services.retract_ballot(citizen, question)
    assert calls == ["cast", "replace", "withdraw"]


# ---------------------------------------------------------------------------
# Pages


def test_page_shows_the_receipt_after_a_form_vote(question, citizen):
    client = Client()
    client.force_login(citizen)
    response = client.post(
        f"/consult/questions/{question.pk}/vote/",
        {f"q{question.pk}-option": question.options.first().pk},
        follow=True,
    )
    receipt = services.own_receipt(citizen, question)
    assert receipts.grouped(receipt) in response.content.decode()
    # Nobody else sees it.
    assert receipts.grouped(receipt) not in Client().get(question.page.url).content.decode()


@pytest.mark.parametrize("form", ["upper", "grouped", "plain"])
def test_check_your_receipt_page_works_without_javascript(question, citizen, form):
    receipt = services.cast_ballot(
        citizen, question, {"option": question.options.first().pk}
    ).receipt
    typed = {"upper": receipt.upper(), "grouped": receipts.grouped(receipt), "plain": receipt}[form]
    response = Client().get("/consult/receipts/", {"receipt": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your ballot is counted." in html
    assert question.title in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_check_your_receipt_page_says_withdrawn_and_unknown(question, citizen):
    receipt = services.cast_ballot(
        citizen, question, {"option": question.options.first().pk}
    ).receipt
    services.retract_ballot(citizen, question)
    assert "withdrawn" in Client().get("/consult/receipts/", {"receipt": receipt}).content.decode()
    unknown = Client().get("/consult/receipts/", {"receipt": "<script>" + "a" * 40})
    assert unknown.status_code == 404
    assert "No ballot has this receipt" in unknown.content.decode()
    assert "<script>" not in unknown.content.decode()
    assert Client().get("/consult/receipts/").status_code == 200


def test_script_vote_answers_with_the_receipt(question, citizen):
    # The page script posts the form asking for JSON and shows the receipt it gets.
    client = Client()
    client.force_login(citizen)
    response = client.post(
        f"/consult/questions/{question.pk}/vote/",
        {f"q{question.pk}-option": question.options.first().pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["receipt"] == services.own_receipt(citizen, question)
