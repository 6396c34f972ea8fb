"""Fault injection: two ASGI workers on a PostgreSQL cluster and a Redis of
the test's own, ballots streaming and websocket viewers watching, while
Redis, PostgreSQL or a worker is killed and brought back.

Each test leaves the services running; every accepted ballot must be stored
exactly once and every tally must equal its recount. The figures measured
(ballots during an outage, 503 latency, recovery time) are printed: run with
``-s`` to see them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from websockets.sync.client import connect as websocket

from tests.conftest import REQUIRE_ALL
from tests.multiprocess.servers import (
    REPO_DIR,
    PostgresCluster,
    free_port,
    post_json,
    postgres_bin,
    redis_server_binary,
    start_redis,
    start_worker,
    stop,
    wait_for_http,
)

MISSING = postgres_bin() is None or redis_server_binary() is None
pytestmark = [
    # The migrated test database is the template of the cluster's (it is
    # only created for tests that ask for a database).
    pytest.mark.django_db,
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        MISSING and not REQUIRE_ALL,
        reason="needs PostgreSQL's initdb/pg_ctl (/usr/lib/postgresql/*/bin) and redis-server",
    ),
]
VOTERS = 30
CSRF = "f" * 32
OK = (200, 201)


@dataclass
class Result:
    started: float
    ended: float
    port: int
    voter: int
    status: int  # 0: no HTTP answer (connection refused or reset)
    body: dict
    retry_after: str | None = None


def post_ballot(
    port: int, question: int, session: str, choice: str
) -> tuple[int, dict, str | None]:
    return post_json(
        f"http://127.0.0.1:{port}/consult/api/v1/questions/{question}/ballot/",
        {"choice": choice},
        {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF},
        timeout=15,
    )


def get(url: str) -> tuple[int, str, Message]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, timeout=120, **kwargs)  # noqa: S603
    if done.returncode:
        error = done.stderr if isinstance(done.stderr, str) else done.stderr.decode()
        raise AssertionError(f"{command[:3]} failed: {error[-2000:]}")
    return done


class Stack:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cluster = PostgresCluster(directory, free_port())
        self.cluster_started = False
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.workers: dict[int, subprocess.Popen] = {}
        self.voted: set[int] = set()
        self.env = {
            "DJANGO_SETTINGS_MODULE": "tests.multiprocess.fault_settings",
            "CONSULT_FAULT_PG_PORT": str(self.cluster.port),
            "CONSULT_FAULT_REDIS_PORT": str(self.redis_port),
        }

    def start(self, template: dict[str, str]) -> None:
        self.cluster.init()
        self.cluster.start()
        self.cluster_started = True
        self._copy_schema(template)
        self.redis = start_redis(self.redis_port)
        setup = run(
            [sys.executable, "-m", "tests.multiprocess.fault_setup", str(VOTERS)],
            cwd=REPO_DIR,
            env={**os.environ, **self.env},
            text=True,
        )
        self.data = json.loads(setup.stdout.strip().splitlines()[-1])
        self.ports = [free_port(), free_port()]
        for port in self.ports:
            self.workers[port] = start_worker(port, self.env)
        for port in self.ports:
            self.wait_for(port)

    def _copy_schema(self, template: dict[str, str]) -> None:
        """The migrated test database, copied: faster than migrating again."""
        binary = self.cluster.bin
        local = ["-h", "127.0.0.1", "-p", str(self.cluster.port), "-U", "postgres"]
        run([str(binary / "createdb"), *local, "consult"])
        dump = run(
            [
                str(binary / "pg_dump"),
                "--no-owner",
                "-h",
                template["HOST"] or "127.0.0.1",
                "-p",
                str(template["PORT"] or 5432),
                "-U",
                template["USER"] or "postgres",
                template["NAME"],
            ]
        )
        run(
            [str(binary / "psql"), *local, "-q", "-v", "ON_ERROR_STOP=1", "-d", "consult"],
            input=dump.stdout,
        )

    def wait_for(self, port: int) -> None:
        wait_for_http(self.workers[port], f"http://127.0.0.1:{port}/consult/api/v1/consultations/")

    def sql(self, query: str, *args) -> tuple:
        dsn = f"host=127.0.0.1 port={self.cluster.port} user=postgres dbname=consult"
        with psycopg.connect(dsn, connect_timeout=5) as db:
            return db.execute(query, args).fetchone()

    def tally(self) -> tuple[int, int]:
        return self.sql(
            "SELECT version, ballots FROM consult_tally WHERE question_id = %s",
            self.data["question"],
        ) or (0, 0)

    def redis_down(self) -> None:
        stop(self.redis)

    def redis_up(self) -> None:
        self.redis = start_redis(self.redis_port)

    def kill_worker(self, port: int) -> None:
        self.workers[port].send_signal(signal.SIGKILL)
        self.workers[port].wait()

    def restart_worker(self, port: int) -> None:
        self.workers[port] = start_worker(port, self.env)
        self.wait_for(port)

    def check_integrity(self) -> None:
        """Every voter with an accepted ballot has exactly one, the tally
        counts them, and every tally equals its recount."""
        question = self.data["question"]
        (ballots,) = self.sql(
            "SELECT count(*) FROM consult_ballot WHERE question_id = %s", question
        )
        (participations,) = self.sql(
            "SELECT count(*) FROM consult_participation WHERE question_id = %s", question
        )
        assert ballots == participations == self.tally()[1] == len(self.voted)
        recount = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "django", "consult_recount"],
            cwd=REPO_DIR,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert recount.returncode == 0, recount.stdout + recount.stderr

    def close(self) -> None:
        for process in self.workers.values():
            stop(process)
        if self.redis is not None:
            stop(self.redis)
        try:
            if self.cluster_started:
                self.cluster.stop("immediate")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    if MISSING:
        pytest.fail("CONSULT_TEST_REQUIRE_ALL is set but initdb/pg_ctl or redis-server is missing")
    with django_db_blocker.unblock():
        template = dict(connection.settings_dict)
    built = Stack(Path(tempfile.mkdtemp(prefix="consult-faults-")))
    try:
        built.start(template)
        yield built
    finally:
        built.close()


@dataclass
class BallotStream:
    """Voters casting (and changing) ballots through the live workers, a few
    at a time, like citizens behind a load balancer: a worker that does not
    answer at all is skipped for the next attempt."""

    stack: Stack
    ports: list[int]
    results: list[Result] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(4)]

    def _run(self, lane: int) -> None:
        n = lane
        while not self.stopping.is_set():
            voter = n % VOTERS
            port = self.ports[n % len(self.ports)]
            started = time.monotonic()
            status, body, retry_after = post_ballot(
                port,
                self.stack.data["question"],
                self.stack.data["sessions"][voter],
                "yes" if n % 3 else "no",
            )
            self.results.append(
                Result(started, time.monotonic(), port, voter, status, body, retry_after)
            )
            if status in OK:
                self.stack.voted.add(voter)
            elif status == 0 and len(self.ports) > 1:
                n += 1  # that worker is gone: the next attempt goes elsewhere
                continue
            n += 4
            time.sleep(0.05)

    def __enter__(self) -> BallotStream:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Result]:
        return [r for r in self.results if r.started >= start and r.ended <= end]


class Viewer:
    """A websocket viewer that reconnects (to the next worker) when its
    socket is closed, as the page script does, keeping the newest version."""

    def __init__(self, stack: Stack, ports: list[int]) -> None:
        self.stack, self.ports = stack, ports
        self.version = -1
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        attempt = 0
        while not self.stopping.is_set():
            port = self.ports[attempt % len(self.ports)]
            url = f"ws://127.0.0.1:{port}/ws/consult/consultations/{self.stack.data['page']}/"
            try:
                with websocket(url, origin=f"http://127.0.0.1:{port}", open_timeout=3) as ws:
                    self.connections += 1
                    while not self.stopping.is_set():
                        try:
                            frame = json.loads(ws.recv(timeout=0.5))
                        except TimeoutError:
                            continue
                        if frame.get("question") == self.stack.data["question"]:
                            self.version = max(self.version, frame.get("version", -1))
            except Exception:  # noqa: BLE001 (a closed or refused socket: reconnect)
                attempt += 1
                time.sleep(0.2)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)


def converged(stack: Stack, viewers: list[Viewer], timeout: float = 15) -> float:
    """Seconds until every viewer shows the database's tally version."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        version = stack.tally()[0]
        if all(viewer.version == version for viewer in viewers):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(
        f"viewers at {[viewer.version for viewer in viewers]}, database at {stack.tally()[0]}"
    )


def report(name: str, **figures) -> None:
    print(f"\n[faults] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))  # noqa: T201


def test_redis_outage_ballots_accepted_pages_answer_viewers_converge(stack):
    viewers = [Viewer(stack, [port]) for port in stack.ports]
    with BallotStream(stack, stack.ports) as stream:
        time.sleep(1.5)
        down = time.monotonic()
        stack.redis_down()
        try:
            time.sleep(0.5)
            for port in stack.ports:
                status, html, _ = get(f"http://127.0.0.1:{port}{stack.data['url']}")
                assert status == 200, html[:300]
                # A new viewer gets its snapshot without the channel layer.
                url = f"ws://127.0.0.1:{port}/ws/consult/consultations/{stack.data['page']}/"
                with websocket(url, origin=f"http://127.0.0.1:{port}", open_timeout=5) as ws:
                    assert json.loads(ws.recv(timeout=5))["type"] == "tally"
            time.sleep(3)
        finally:
            up = time.monotonic()
            stack.redis_up()
        time.sleep(1.5)
    during = stream.between(down, up)
    try:
        assert len(during) > 10
        assert [r for r in stream.results if r.status not in OK] == []
        seconds = converged(stack, viewers)
    finally:
        for viewer in viewers:
            viewer.close()
    report(
        "redis down",
        outage_s=round(up - down, 1),
        ballots_during=len(during),
        accepted=sum(r.status in OK for r in during),
        converged_after_s=round(seconds, 2),
    )
    stack.check_integrity()


def test_postgres_outage_answers_503_fast_and_recovers(stack):
    with BallotStream(stack, stack.ports) as stream:
        time.sleep(1.5)
        down = time.monotonic()
        stack.cluster.stop("immediate")
        try:
            time.sleep(1)
            page_status, page_html, page_headers = get(
                f"http://127.0.0.1:{stack.ports[0]}{stack.data['url']}"
            )
            time.sleep(4)
        finally:
            stack.cluster.start()
            up = time.monotonic()
        time.sleep(4)
    assert page_status == 503 and "<h1>" in page_html and page_headers.get("Retry-After")
    during = stream.between(down + 0.5, up)
    # Four voters at a time, each answered after the pool's 3 s wait.
    assert len(during) >= 4
    assert {r.status for r in during} == {503}
    assert {r.body.get("code") for r in during} == {"unavailable"}
    assert all(r.retry_after for r in during)
    slowest = max(r.ended - r.started for r in during)
    assert slowest < 5
    # Nothing but accepted ballots and 503s: no 500, no hang.
    assert {r.status for r in stream.results} <= {200, 201, 503}
    back = min(r.ended for r in stream.results if r.started >= up and r.status in OK) - up
    first_attempt = min(r.started for r in stream.results if r.started >= up) - up
    assert back < 3
    report(
        "postgres down",
        outage_s=round(up - down, 1),
        answered_503=len(during),
        slowest_503_s=round(slowest, 2),
        first_accepted_after_restart_s=round(back, 2),
        first_attempt_after_restart_s=round(first_attempt, 2),
    )
    stack.check_integrity()


def test_a_killed_worker_the_other_serves_viewers_reconnect(stack):
    first, second = stack.ports
    viewers = [Viewer(stack, [first, second]), Viewer(stack, [second, first])]
    time.sleep(1)
    with BallotStream(stack, [first, second]) as stream:
        time.sleep(1.5)
        killed = time.monotonic()
        stack.kill_worker(first)
        try:
            time.sleep(3)
        finally:
            restarted = time.monotonic()
            stack.restart_worker(first)
        time.sleep(1)
    try:
        served = [r for r in stream.between(killed, restarted) if r.port == second]
        assert served and all(r.status in OK for r in served)
        assert {r.status for r in stream.results} <= {0, 200, 201}
        seconds = converged(stack, viewers)
        assert viewers[0].connections >= 2, "the viewer of the killed worker reconnected"
    finally:
        for viewer in viewers:
            viewer.close()
    report(
        "worker killed",
        served_by_other=len(served),
        refused_connections=sum(r.status == 0 for r in stream.results),
        converged_after_s=round(seconds, 2),
    )
    stack.check_integrity()
