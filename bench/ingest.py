"""Ballot intake: ballots per second through the HTTP API, and SQL per ballot.

Starts a uvicorn process serving the example site plus a bare DRF create
endpoint defined here (session auth, CSRF, one INSERT of a Participation:
the least a recorded vote can cost), then posts to both from concurrent
clients, each request as another signed-in, verified citizen. It ends with
a recount (nothing lost, nothing doubled) and counts, in-process with
CaptureQueriesContext, the SQL statements of one ballot request and of one
broadcast re-read.

    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --ballots 2000 --clients 16 --workers 2

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
consult_bench; created and migrated if missing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import (  # noqa: E402
    DEFAULT_DB,
    Ballots,
    configure,
    ensure_database,
    make_consultation,
    make_voters,
    percentile,
    start_server,
    stop,
)

BARE_PATH = "/bench/participations/"


# -- the server: the example site plus a bare DRF endpoint ---------------------


def bare_view():
    from rest_framework import generics, serializers
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.parsers import JSONParser
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.renderers import JSONRenderer

    from consult.models import Participation

    class ParticipationSerializer(serializers.ModelSerializer):
        class Meta:
            model = Participation
            fields = ["question"]

    class CreateParticipation(generics.CreateAPIView):
        authentication_classes = [SessionAuthentication]
        permission_classes = [IsAuthenticated]
        parser_classes = [JSONParser]
        renderer_classes = [JSONRenderer]
        serializer_class = ParticipationSerializer

        def perform_create(self, serializer):
            serializer.save(voter=self.request.user)

    return CreateParticipation.as_view()


def __getattr__(name: str) -> Any:
    # ROOT_URLCONF (and uvicorn's workers) import this module by name; what
    # they need is built on demand, once Django is configured.
    if name == "urlpatterns":
        from django.urls import path

        from site_example.urls import urlpatterns

        return [path(BARE_PATH.strip("/") + "/", bare_view()), *urlpatterns]
    if name == "application":
        from django.conf import settings

        if not settings.configured:
            configure(os.environ["DATABASE_URL"], os.environ.get("REDIS_URL"))
        settings.ROOT_URLCONF = __name__
        from django.core.asgi import get_asgi_application

        return get_asgi_application()
    raise AttributeError(name)


def serve(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "bench.ingest:application",
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


# -- measuring -------------------------------------------------------------------


async def hammer(port: int, path: str, body: bytes, voters, clients: int) -> dict[str, float]:
    ballots = Ballots(port, path, body, voters)
    per_client = len(voters) // clients
    latencies: list[float] = []

    async def client() -> None:
        connection = await ballots.client()
        for _ in range(per_client):
            sent = await ballots.cast(connection)
            latencies.append(time.perf_counter() - sent)
        connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * percentile(latencies, 0.99),
    }


def statements_per_ballot(question, voter) -> tuple[list[str], list[str], list[str]]:
    """SQL of one ballot request, of one broadcast re-read, of one bare create."""
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from consult.realtime import broadcast

    session, csrf = voter

    def post(path: str, body: str) -> list[str]:
        client = Client(enforce_csrf_checks=True)
        client.cookies["sessionid"] = session
        client.cookies["csrftoken"] = csrf
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                path,
                body,
                content_type="application/json",
                headers={"X-CSRFToken": csrf, "Host": "127.0.0.1"},
            )
        assert response.status_code == 201, response.content
        return [query["sql"] for query in queries.captured_queries]

    # Under ASGI the request only hands the question to its event loop; the
    # re-read happens there, at most once per question and interval.
    with mock.patch("consult.realtime.receivers.publish_question"):
        request = post(f"/consult/api/v1/questions/{question.pk}/ballot/", '{"choice": "yes"}')
    with CaptureQueriesContext(connection) as reread:
        broadcast.question_updates(question.pk)
    other = make_consultation("sql-bare").questions.get()
    bare = post(BARE_PATH, f'{{"question": {other.pk}}}')
    return request, [q["sql"] for q in reread.captured_queries], bare


def recount_ok(question, expected: int) -> tuple[bool, str]:
    from consult.models import Ballot, Participation
    from consult.voting.tally import recount, stored_counts

    _version, ballots, counts = stored_counts(question)
    rows = Ballot.objects.filter(question=question).count()
    voters = Participation.objects.filter(question=question).count()
    ok = (ballots, counts) == recount(question) and ballots == rows == voters == expected
    return ok, f"tally {ballots}, ballot rows {rows}, participations {voters}, accepted {expected}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=1600, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis", default=None, help="channels-redis URL (default in-memory)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    if args.serve:
        serve(args.serve, args.workers)
        return
    configure(args.database, args.redis)
    from django.conf import settings

    settings.ROOT_URLCONF = __name__
    ensure_database(args.database)

    question = make_consultation("ingest").questions.get()
    bare_question = make_consultation("ingest-bare").questions.get()
    voters = make_voters(args.ballots + 1)
    sql_voter = voters.pop()

    server, port = start_server(args, __file__, "--workers", str(args.workers))
    try:
        consult = asyncio.run(
            hammer(
                port,
                f"/consult/api/v1/questions/{question.pk}/ballot/",
                b'{"choice": "yes"}',
                voters,
                args.clients,
            )
        )
        bare_body = f'{{"question": {bare_question.pk}}}'.encode()
        bare = asyncio.run(hammer(port, BARE_PATH, bare_body, voters, args.clients))
    finally:
        stop(server)

    ok, detail = recount_ok(question, consult["requests"])
    request, reread, bare_sql = statements_per_ballot(question, sql_voter)

    setup = f"{args.clients} clients, {args.workers} worker(s)"
    print(f"\n{args.ballots} requests per endpoint, {setup}\n")
    print("| endpoint | requests | per second | p50 ms | p99 ms | SQL statements |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, row, sql in (
        ("consult ballot", consult, request),
        ("bare DRF create", bare, bare_sql),
    ):
        print(
            f"| {name} | {row['requests']} | {row['per_s']:.0f} | {row['p50']:.1f} "
            f"| {row['p99']:.1f} | {len(sql)} |"
        )
    print(f"\nconsult / bare throughput: {consult['per_s'] / bare['per_s']:.2f}x")
    print(f"\nrecount: {'OK' if ok else 'MISMATCH'} ({detail})")
    print(f"\nSQL of one ballot request ({len(request)}):")
    for sql in request:
        print(f"  {sql[:110]}")
    print(f"\nSQL of one broadcast re-read ({len(reread)}, at most one per question and interval):")
    for sql in reread:
        print(f"  {sql[:110]}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
