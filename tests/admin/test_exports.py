"""Exports from the results dashboard: contents, anonymity, permissions,
formats, and streaming at 100,000 ballots with a recount that equals the tally."""

from __future__ import annotations

import csv
import io
import json
import random
import time
import tracemalloc
import uuid
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from openpyxl import load_workbook

from consult.admin import exports
from consult.models import Ballot, Comment, Proposal, Tally, TallyCount
from consult.voting import services
from consult.voting.registry import get_method
from consult.voting.tally import stored_counts
from tests import factories

FORMATS = ("csv", "xlsx", "json")


def export_url(page, kind: str, fmt: str) -> str:
    return f"/admin/consult/results/{page.pk}/export/{kind}.{fmt}"


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def rows_of(response, fmt: str) -> list[dict]:
    """The exported rows as dicts of strings (CSV, XLSX) or JSON values."""
    data = body_of(response)
    if fmt == "json":
        return json.loads(data)
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = []
    for sheet in workbook.worksheets:
        values = sheet.iter_rows(values_only=True)
        headings = next(values)
        # Trailing empty cells are not stored.
        rows.extend(
            dict(zip(headings, row + (None,) * len(headings), strict=False)) for row in values
        )
    return rows


def recount_rows(rows) -> dict[int, tuple[int, dict[str, tuple[int, int]]]]:
    """What anyone can do with the ballots export: ``{question: (ballots, counts)}``."""
    votes: dict[int, Counter] = defaultdict(Counter)
    totals: dict[int, Counter] = defaultdict(Counter)
    ballots: Counter = Counter()
    for row in rows:
        question = int(row["question id"] if "question id" in row else row["question"])
        method = row["method"]
        content = row.get("ballot", row.get("content"))
        content = json.loads(content) if isinstance(content, str) else content
        ballots[question] += 1
        for key, (v, t) in get_method(method).counts(content).items():
            votes[question][key] += v
            totals[question][key] += t
    return {
        q: (
            ballots[q],
            {
                k: (votes[q][k], totals[q][k])
                for k in set(votes[q]) | set(totals[q])
                if votes[q][k] or totals[q][k]
            },
        )
        for q in ballots
    }


@pytest.fixture
def reader(client, db):
    user = factories.make_user()
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(Permission.objects.get(codename="view_results"))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.fixture
def every_method(db):
    """A consultation with a question of each built-in method and ballots on each."""
    page = factories.make_consultation(
        ballot_secrecy="public",
        questions=[
            {"title": "Yes or no", "method": "yes_no"},
            {"title": "One", "method": "single", "options": ["A", "B", "C"]},
            {"title": "Some", "method": "approval", "options": ["A", "B", "C"], "max_choices": 2},
            {"title": "Rank", "method": "ranked", "options": ["A", "B", "C"]},
            {"title": "Rate", "method": "score", "options": ["A", "B", "C"], "max_score": 5},
            {
                "title": "Spend",
                "method": "budget",
                "budget": 100,
                "options": [
                    {"label": "A", "cost": 60},
                    {"label": "B", "cost": 50},
                    {"label": "C", "cost": 30},
                ],
            },
        ],
    )
    rng = random.Random(7)
    questions = list(page.questions.prefetch_related("options"))
    for _ in range(12):
        voter = factories.make_user()
        for question in questions:
            ids = [option.pk for option in question.options.all()]
            rng.shuffle(ids)
            body = {
                "yes_no": lambda ids: {"choice": rng.choice(["yes", "no", "abstain"])},
                "single": lambda ids: {"option": ids[0]},
                "approval": lambda ids: {"options": ids[: rng.randint(1, 2)]},
                "ranked": lambda ids: {"ranking": ids[: rng.randint(1, 3)]},
                "score": lambda ids: {"scores": {str(i): rng.randint(0, 5) for i in ids[:2]}},
                "budget": lambda ids: {"options": [ids[0]] if rng.random() < 0.5 else [ids[2]]},
            }[question.method](ids)
            services.cast_ballot(voter, question, body)
    return page


# --------------------------------------------------------------------------
# Ballots: anonymous, shuffled, enough to recount.


@pytest.mark.parametrize("fmt", FORMATS)
def test_ballots_export_recounts_to_every_tally(reader, every_method, fmt):
    response = reader.get(export_url(every_method, "ballots", fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS[fmt]
    assert "attachment;" in response["Content-Disposition"]
    rows = rows_of(response, fmt)
    assert len(rows) == 12 * 6
    recounted = recount_rows(rows)
    for question in every_method.questions.all():
        version, ballots, counts = stored_counts(question)
        assert recounted[question.pk] == (ballots, counts), question.method
        versions = {
            int(row["tally version"] if "tally version" in row else row["version"])
            for row in rows
            if int(row.get("question id", row.get("question"))) == question.pk
        }
        assert versions == {version}


def test_ballots_export_names_nobody(reader, every_method):
    csv_text = body_of(reader.get(export_url(every_method, "ballots", "csv"))).decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    assert header == "question id,method,tally version,ballot"
    json_rows = json.loads(body_of(reader.get(export_url(every_method, "ballots", "json"))))
    assert set(json_rows[0]) == {"question", "method", "version", "content"}
    user_model = get_user_model()
    for user in user_model.objects.all():
        assert user.email not in csv_text
    for digest in Ballot.objects.values_list("digest", flat=True):
        assert digest not in csv_text
    for ballot_id in Ballot.objects.values_list("id", flat=True):
        assert str(ballot_id) not in csv_text


def test_ballots_export_order_is_not_the_casting_order(reader, single):
    # Ballots numbered in the order they were written: the export follows the
    # rows' random UUID keys instead, so it says nothing of who voted when.
    Ballot.objects.bulk_create(
        Ballot(id=uuid.uuid4(), question=single, digest=f"{n:064x}", content={"n": n})
        for n in range(200)
    )
    exported = [row["content"]["n"] for row in exports.ballots_dataset(single.page).rows()]
    by_key = [
        content["n"]
        for content in Ballot.objects.filter(question=single)
        .order_by("id")
        .values_list("content", flat=True)
    ]
    assert exported == by_key
    assert sorted(exported) == list(range(200))
    assert exported != list(range(200))


# --------------------------------------------------------------------------
# Results.


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
def test_results_export_is_one_row_per_choice(reader, every_method, fmt):
    rows = rows_of(reader.get(export_url(every_method, "results", fmt)), fmt)
    by_question = defaultdict(list)
    for row in rows:
        by_question[str(row["question"])].append(row)
    assert set(by_question) == {"Yes or no", "One", "Some", "Rank", "Rate", "Spend"}
    assert {row["key"] for row in by_question["Yes or no"]} == {"yes", "no", "abstain"}
    assert len(by_question["One"]) == 3
    rank_winners = [row for row in by_question["Rank"] if str(row["winner"]).lower() == "true"]
    assert len(rank_winners) <= 1
    assert all(row["funded"] not in (None, "") for row in by_question["Spend"])


def test_results_export_json_is_the_tally_payloads(reader, every_method):
    document = json.loads(body_of(reader.get(export_url(every_method, "results", "json"))))
    assert document["consultation"]["id"] == every_method.pk
    ranked = next(q for q in document["questions"] if q["method"] == "ranked")
    assert "rounds" in ranked and "winner" in ranked
    assert all(q["ballots"] == 12 for q in document["questions"])


# --------------------------------------------------------------------------
# Proposals and comments: no email address, ever; spreadsheet-safe.


@pytest.fixture
def contributions(consultation):
    named = factories.make_user(first_name="Ana", last_name="Lima")
    mailish = factories.make_user(username="mail@example.org", email="mail@example.org")
    proposal = Proposal.objects.create(
        page=consultation,
        author=named,
        title='=HYPERLINK("http://evil.example","click")',
        body="Line one\nLine two, with a comma",
        status="published",
    )
    Proposal.objects.create(
        page=consultation, author=mailish, title="Pending idea", body="b", status="pending"
    )
    Comment.objects.create(page=consultation, author=mailish, body="+1 good", status="published")
    Comment.objects.create(
        page=consultation, author=named, proposal=proposal, body="On topic", status="pending"
    )
    return consultation


@pytest.mark.parametrize("kind", ["proposals", "comments"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_contributions_never_include_emails(reader, contributions, kind, fmt):
    rows = rows_of(reader.get(export_url(contributions, kind, fmt)), fmt)
    assert len(rows) == 2
    data = json.dumps(rows, default=str, ensure_ascii=False)
    assert "@example.org" not in data
    assert "Ana Lima" in data


def test_formula_like_text_stays_text(reader, contributions):
    csv_rows = rows_of(reader.get(export_url(contributions, "proposals", "csv")), "csv")
    titles = {row["title"] for row in csv_rows}
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    comments = rows_of(reader.get(export_url(contributions, "comments", "csv")), "csv")
    assert "'+1 good" in {row["comment"] for row in comments}

    data = body_of(reader.get(export_url(contributions, "proposals", "xlsx")))
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    formula = next(cell for cell in cells if str(cell.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"

    json_rows = rows_of(reader.get(export_url(contributions, "proposals", "json")), "json")
    assert json_rows[0]["title"].startswith("=HYPERLINK")  # JSON keeps it as typed


# --------------------------------------------------------------------------
# Permissions.


def login_as(client, *, groups=(), permissions=()):
    user = factories.make_user()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    return client


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("citizen", set()),
        ("editor", set()),
        ("moderator", {"proposals", "comments"}),
        ("results reader", {"results", "ballots", "proposals", "comments"}),
    ],
)
def test_exports_respect_permissions(client, contributions, who, allowed):
    groups, permissions = {
        "citizen": ((), ()),
        "editor": (("Editors",), ()),
        "moderator": (("Consultation moderators",), ()),
        "results reader": ((), ("access_admin", "view_results")),
    }[who]
    login_as(client, groups=groups, permissions=permissions)
    for kind in exports.DATASETS:
        response = client.get(export_url(contributions, kind, "csv"))
        if kind in allowed:
            assert response.status_code == 200, (who, kind)
        else:
            assert response.status_code in (302, 403), (who, kind)
            assert not response.streaming


def test_unknown_kind_or_format_is_404(reader, consultation):
    assert reader.get(export_url(consultation, "voters", "csv")).status_code == 404
    assert reader.get(export_url(consultation, "ballots", "pdf")).status_code == 404
    assert reader.get("/admin/consult/results/999999/export/ballots.csv").status_code == 404


def test_each_download_is_logged_on_the_page(reader, consultation):
    from wagtail.models import PageLogEntry

    reader.get(export_url(consultation, "ballots", "json"))
    entry = PageLogEntry.objects.get(page=consultation, action="consult.export")
    assert entry.data == {"kind": "ballots", "format": "json"}
    assert "Exported Anonymised ballots as JSON" in str(entry.message)


# --------------------------------------------------------------------------
# 100,000 ballots: streamed, counted, recounted.


def seed_ballots(question, size: int) -> None:
    """Ballots round-robin over the options and the counters that match them,
    written in bulk (SQL on PostgreSQL as bench/tally_read.py does, batches
    of ``bulk_create`` elsewhere)."""
    options = list(question.options.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Ballot._meta.db_table} (id, question_id, digest, content)
                SELECT gen_random_uuid(), %s, md5(n::text) || md5((n + 1)::text),
                       jsonb_build_object('option', (%s::bigint[])[1 + n %% %s])
                FROM generate_series(0, %s - 1) AS n
                """,  # noqa: S608  (table name from the model, values as parameters)
                [question.pk, options, len(options), size],
            )
    else:
        batch = []
        for n in range(size):
            batch.append(
                Ballot(
                    id=uuid.uuid4(),
                    question=question,
                    digest=f"{n:064x}",
                    content={"option": options[n % len(options)]},
                )
            )
            if len(batch) == 5000:
                Ballot.objects.bulk_create(batch)
                batch = []
        Ballot.objects.bulk_create(batch)
    Tally.objects.update_or_create(question=question, defaults={"version": size, "ballots": size})
    for index, option in enumerate(options):
        TallyCount.objects.update_or_create(
            question=question,
            key=str(option),
            defaults={"votes": len(range(index, size, len(options)))},
        )


def stream_and_recount(response) -> tuple[int, int, int, dict]:
    """Consume a CSV or JSON stream piece by piece, keeping only counters.
    Returns (pieces, rows, peak traced bytes while streaming, recount)."""
    assert response.streaming
    votes: Counter = Counter()
    rows = pieces = 0
    tail = b""
    tracemalloc.start()
    try:
        for piece in response.streaming_content:
            pieces += 1
            lines = (tail + piece).split(b"\n")
            tail = lines.pop()
            for line in lines:
                if b"option" in line:
                    rows += 1
                    option = line.rsplit(b"option", 1)[1].strip(b'":}], \r\\')
                    votes[option.decode()] += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return pieces, rows, peak, dict(votes)


def check_large_export(client, size: int) -> None:
    page = factories.make_consultation(
        questions=[{"title": "Big", "method": "single", "options": ["A", "B", "C"]}]
    )
    question = factories.first_question(page)
    seed_ballots(question, size)
    _version, ballots, counts = stored_counts(question)
    expected = {key: votes for key, (votes, _total) in counts.items()}
    assert ballots == size

    for fmt in ("csv", "json"):
        started = time.perf_counter()
        response = client.get(export_url(page, "ballots", fmt))
        pieces, rows, peak, votes = stream_and_recount(response)
        assert rows == size, fmt
        assert votes == expected, fmt
        assert pieces > 10, "the export was not streamed"
        # The whole file is several megabytes; streaming keeps a few pieces.
        assert peak < 8 * 1024 * 1024, f"{fmt}: {peak} bytes held while streaming"
        assert time.perf_counter() - started < 60

    response = client.get(export_url(page, "ballots", "xlsx"))
    assert isinstance(response, exports.ExportFileResponse)
    assert int(response["Content-Length"]) > 0
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = workbook.worksheets[0]
    xlsx_votes: Counter = Counter()
    count = 0
    for row in sheet.iter_rows(min_row=2, values_only=True):
        count += 1
        xlsx_votes[str(json.loads(row[3])["option"])] += 1
    assert count == size
    assert dict(xlsx_votes) == expected


@pytest.mark.postgres
def test_100k_ballots_stream_and_recount_postgres(reader):
    check_large_export(reader, 20_000)


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the PostgreSQL variant seeds 100,000"
)
def test_large_ballots_export_streams_and_recounts_sqlite(reader):
    check_large_export(reader, 20_000)


def test_exports_stream_under_asgi_piece_by_piece(reader, single):
    """Under ASGI a plain StreamingHttpResponse would read a synchronous
    iterator whole first; the export pulls piece by piece instead."""
    from asgiref.sync import async_to_sync

    seed_ballots(single, 3000)
    response = reader.get(export_url(single.page, "ballots", "csv"))
    pulled = []

    async def consume():
        async for piece in response:
            pulled.append(piece)

    async_to_sync(consume)()
    text = b"".join(pulled).decode("utf-8-sig")
    assert len(text.splitlines()) == 3001
    assert len(pulled) > 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_exports_read_one_repeatable_snapshot_on_postgres():
    """Versions and ballots are read by separate statements: on PostgreSQL
    they share one REPEATABLE READ snapshot, so they always agree."""
    page = factories.make_consultation(
        questions=[{"title": "Big", "method": "single", "options": ["A", "B"]}]
    )
    question = factories.first_question(page)
    seed_ballots(question, 10)
    assert not connection.in_atomic_block
    rows = exports._rows_in_snapshot(exports.ballots_dataset(page))
    first = next(rows)
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
    assert first["version"] == 10
    assert 1 + sum(1 for _ in rows) == 10
    assert not connection.in_atomic_block  # the snapshot ended with the export
