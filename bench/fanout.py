"""Live-result fan-out: vote-to-screen latency with many websocket viewers.

For each viewer count it starts a fresh uvicorn process serving the example
site, opens that many websockets to one consultation and casts ballots
through the HTTP API, first one at a time (each waits until every viewer
has it: "isolated"), then a burst from several clients at once. It measures
the same twice in one run: through consult's per-process hub, and through
stock Channels fan-out (every socket in the group with its own channel,
each update one channel-layer message and one consumer dispatch per viewer).

    .venv/bin/python bench/fanout.py                      # 100, 1000, 5000 viewers
    .venv/bin/python bench/fanout.py --viewers 200 --isolated 5

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
consult_bench; created and migrated if missing). With --redis URL the server
uses channels-redis instead of the in-memory layer. The client is a minimal
websocket reader (no permessage-deflate, like a server started with
--ws-per-message-deflate false) so that it costs little next to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/consult_bench"
HUB_PATH = "/ws/consult/consultations/{}/"
STOCK_PATH = "/ws/stock/consultations/{}/"


# -- Django, shared by the driver and the server process ---------------------


def configure(database_url: str, redis_url: str | None) -> None:
    """The example site's settings with DEBUG off, as a bench runs them."""
    os.environ["DATABASE_URL"] = database_url
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    import django
    from django.conf import settings

    from site_example.settings import base

    values = {name: getattr(base, name) for name in dir(base) if name.isupper()}
    if redis_url:
        layer = values["CHANNEL_LAYERS"]["default"]["CONFIG"]
        layer["prefix"] = os.environ.setdefault("BENCH_PREFIX", f"bench{secrets.token_hex(4)}")
    values.update(
        DEBUG=False,
        SECRET_KEY="bench-only",  # noqa: S106
        ALLOWED_HOSTS=["127.0.0.1"],
        CONSULT={
            **values.get("CONSULT", {}),
            # Every viewer connects from 127.0.0.1.
            "WS_MAX_CONNECTIONS_PER_IP": None,
            # The in-memory layer's group_send to 5,000 stock sockets takes
            # longer than the default: let it finish rather than measure less.
            "BROADCAST_TIMEOUT": 120,
            "THROTTLE_RATES": {"ballot": "100000/minute"},
        },
        LOGGING={"version": 1, "root": {"level": "WARNING"}},
    )
    settings.configure(**values)
    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg
    from django.core.management import call_command

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)


def make_consultation(label: str):
    from tests import factories

    tag = secrets.token_hex(3)
    return factories.make_consultation(
        factories.make_index(title=f"Bench {tag}", slug=f"bench-{tag}"),
        title=f"Bench {label}",
        slug=f"bench-{label}-{tag}",
        questions=[{"title": "Car-free square?", "method": "yes_no"}],
    )


def make_voters(count: int) -> list[tuple[str, str]]:
    """``count`` verified citizens, each signed in: (session key, CSRF token)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    tag = secrets.token_hex(4)
    users = []
    for i in range(count):
        user = get_user_model()(username=f"bench-{tag}-{i}", email=f"bench-{tag}-{i}@example.org")
        user.set_unusable_password()
        users.append(user)
    users = get_user_model().objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    voters = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        voters.append((session.session_key, secrets.token_hex(16)))
    return voters


# -- the server process ------------------------------------------------------


def serve(port: int) -> None:
    import uvicorn
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.core.asgi import get_asgi_application
    from django.urls import path

    from consult.routing import websocket_urlpatterns

    http = get_asgi_application()
    stock = [path("ws/stock/consultations/<int:page_id>/", stock_consumer().as_asgi())]
    application = ProtocolTypeRouter(
        {
            "http": http,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns + stock))
            ),
        }
    )
    uvicorn.run(
        application,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws_per_message_deflate=False,
    )


def stock_consumer():
    """The consumer as stock Channels has it (and consult had before the hub):
    its own channel in the group, one dispatch per update, coalesced per socket."""
    from channels.db import database_sync_to_async
    from channels.generic.websocket import AsyncWebsocketConsumer

    from consult import conf
    from consult.models import ConsultationPage
    from consult.realtime.broadcast import question_message
    from consult.realtime.groups import consultation_group

    class StockConsumer(AsyncWebsocketConsumer):
        async def connect(self):
            self.page_id = int(self.scope["url_route"]["kwargs"]["page_id"])
            self.group = consultation_group(self.page_id)
            self.sent, self.last, self.pending, self.timers = {}, {}, {}, {}
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.accept()
            for message in await self.snapshots():
                await self.emit(f"question:{message['question']}", message["version"], message)

        async def disconnect(self, code):
            for timer in self.timers.values():
                timer.cancel()
            await self.channel_layer.group_discard(self.group, self.channel_name)

        async def consult_update(self, event):
            topic = event["topic"]
            if event["version"] <= self.sent.get(topic, -1):
                return
            if topic not in self.pending or self.pending[topic]["version"] < event["version"]:
                self.pending[topic] = event
            if topic in self.timers:
                return
            loop = asyncio.get_running_loop()
            interval = float(conf.get("BROADCAST_INTERVAL"))
            delay = self.last.get(topic, float("-inf")) + interval - loop.time()
            if delay <= 0:
                await self.flush(topic)
            else:
                self.timers[topic] = loop.call_later(
                    delay, lambda: asyncio.ensure_future(self.flush(topic))
                )

        async def flush(self, topic):
            self.timers.pop(topic, None)
            event = self.pending.pop(topic, None)
            if event is not None and event["version"] > self.sent.get(topic, -1):
                await self.emit(topic, event["version"], event["message"])

        async def emit(self, topic, version, message):
            self.sent[topic] = version
            self.last[topic] = asyncio.get_running_loop().time()
            await self.send(text_data=json.dumps(message))

        @database_sync_to_async
        def snapshots(self):
            page = ConsultationPage.objects.live().get(pk=self.page_id)
            return [question_message(question) for question in page.questions.all()]

    return StockConsumer


# -- the client ---------------------------------------------------------------


class Viewer(asyncio.Protocol):
    """A websocket that only reads: records when each text frame arrived."""

    def __init__(self, request: bytes, opened: asyncio.Future[None]):
        self.request = request
        self.opened = opened
        self.buffer = bytearray()
        self.upgraded = False
        self.frames: list[tuple[float, bytes]] = []
        self.waiter: tuple[int, Waiter] | None = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buffer[:16]:
                self.opened.set_exception(RuntimeError(bytes(self.buffer[:80])))
                return
            del self.buffer[: end + 4]
            self.upgraded = True
            self.opened.set_result(None)
        while len(self.buffer) >= 2:
            opcode, length, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < start + length:
                return
            payload = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
            if opcode == 1:
                self.frames.append((now, payload))
                if self.waiter and len(self.frames) >= self.waiter[0]:
                    self.waiter[1].done_one()
                    self.waiter = None
            elif opcode == 9:  # ping: answer with a masked pong
                mask = secrets.token_bytes(4)
                masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)

    def wait_for_frames(self, count: int, waiter: Waiter) -> None:
        if len(self.frames) >= count:
            waiter.done_one()
        else:
            self.waiter = (count, waiter)

    def versions(self) -> list[tuple[float, int]]:
        return [(t, json.loads(payload)["version"]) for t, payload in self.frames]


class Waiter:
    def __init__(self, count: int):
        self.left = count
        self.event = asyncio.Event()
        if not count:
            self.event.set()

    def done_one(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.event.set()


async def open_viewers(port: int, path: str, count: int) -> list[Viewer]:
    loop = asyncio.get_running_loop()
    viewers: list[Viewer] = []
    gate = asyncio.Semaphore(200)

    async def one() -> None:
        async with gate:
            key = base64.b64encode(secrets.token_bytes(16)).decode()
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
            opened = loop.create_future()
            _, viewer = await loop.create_connection(
                lambda: Viewer(request, opened), "127.0.0.1", port
            )
            await opened
            viewers.append(viewer)

    await asyncio.gather(*(one() for _ in range(count)))
    return viewers


async def frames_everywhere(viewers: list[Viewer], count: int, timeout: float) -> bool:
    waiter = Waiter(len(viewers))
    for viewer in viewers:
        viewer.wait_for_frames(count, waiter)
    try:
        await asyncio.wait_for(waiter.event.wait(), timeout)
    except TimeoutError:
        return False
    return True


class Ballots:
    """HTTP POSTs over keep-alive connections, each as another signed-in voter."""

    def __init__(self, port: int, path: str, body: bytes, voters: list[tuple[str, str]]):
        self.port = port
        self.path = path
        self.body = body
        self.voters = iter(voters)

    async def client(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def cast(self, connection) -> float:
        """Cast one ballot; returns when it was sent (perf_counter)."""
        reader, writer = connection
        session, csrf = next(self.voters)
        body = self.body
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Cookie: sessionid={session}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n\r\n"
        ).encode()
        sent = time.perf_counter()
        writer.write(head + body)
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        if b" 201 " not in status:
            raise RuntimeError(f"ballot refused: {status!r}")
        return sent


# -- one measurement -----------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start_server(args, script: str = __file__, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    """``script --serve PORT`` on a free loopback port, once it accepts connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, script, "--serve", str(port), "--database", args.database, *extra]
    if args.redis:
        command += ["--redis", args.redis]
    server = subprocess.Popen(command, cwd=REPO)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(mode: str, count: int, args, setup) -> dict[str, float | int | str]:
    page, question_id, voters = setup
    # Stock fan-out takes seconds per update at 5,000 viewers: fewer samples.
    n_isolated, n_burst = args.isolated, args.burst
    if mode == "stock":
        n_isolated, n_burst = args.stock, args.stock_burst
    server, port = start_server(args)
    try:
        path = (HUB_PATH if mode == "hub" else STOCK_PATH).format(page.pk)
        idle_rss = rss_kib(server.pid)
        started = time.perf_counter()
        viewers = await open_viewers(port, path, count)
        if not await frames_everywhere(viewers, 1, 120):
            raise RuntimeError("snapshots did not arrive")
        connect_s = time.perf_counter() - started
        # The client's own garbage collection would show up as latency.
        gc.collect()
        gc.freeze()
        await asyncio.sleep(0.5)
        per_socket_kib = (rss_kib(server.pid) - idle_rss) / count

        ballot_path = f"/consult/api/v1/questions/{question_id}/ballot/"
        ballots = Ballots(port, ballot_path, b'{"choice": "yes"}', voters)
        isolated: list[float] = []
        sent_at: list[float] = []
        # Ballot 1 warms the server up (first API request, first broadcast)
        # and is not counted.
        for k in range(1, n_isolated + 2):
            await asyncio.sleep(2 * args.interval)  # so that each is a leading edge
            # A fresh connection: a slow fan-out outlasts the server's keep-alive.
            connection = await ballots.client()
            sent_at.append(await ballots.cast(connection))
            connection[1].close()
            if not await frames_everywhere(viewers, 1 + k, 60):
                raise RuntimeError(f"ballot {k} did not reach every viewer")
        for viewer in viewers:
            versions = viewer.versions()
            for k, sent in enumerate(sent_at[1:], start=2):
                arrived = next(t for t, v in versions if v >= k)
                isolated.append(arrived - sent)
        before = [len(viewer.frames) for viewer in viewers]

        connections = [await ballots.client() for _ in range(args.clients)]
        burst_started = time.perf_counter()

        last_sent = 0.0

        async def client(conn) -> None:
            nonlocal last_sent
            for _ in range(n_burst // args.clients):
                last_sent = max(last_sent, await ballots.cast(conn))

        await asyncio.gather(*(client(conn) for conn in connections))
        burst_done = time.perf_counter()
        final = 1 + n_isolated + args.clients * (n_burst // args.clients)
        lags = []
        deadline = time.perf_counter() + 60
        for viewer in viewers:
            while (not viewer.frames or json.loads(viewer.frames[-1][1])["version"] < final) and (
                time.perf_counter() < deadline
            ):
                await asyncio.sleep(0.05)
            lags.append(viewer.frames[-1][0] - last_sent)
        messages = [len(v.frames) - b for v, b in zip(viewers, before, strict=True)]
        for viewer in viewers:
            viewer.transport.close()
        return {
            "mode": mode,
            "viewers": count,
            "connect_s": connect_s,
            "kib": per_socket_kib,
            "p50": 1000 * statistics.median(isolated),
            "p99": 1000 * percentile(isolated, 0.99),
            "max": 1000 * max(isolated),
            "burst": final - 1 - n_isolated,
            "burst_s": burst_done - burst_started,
            "msgs": statistics.mean(messages),
            "lag99": 1000 * percentile(lags, 0.99),
            "complete": all(json.loads(v.frames[-1][1])["version"] == final for v in viewers),
        }
    finally:
        stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a server process; kill it if it does not stop in 30 s (stock
    Channels on channels-redis can take longer to close 5,000 sockets)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def print_table(rows: list[dict]) -> None:
    print(
        "\n| fan-out | viewers | connect s | KiB/socket | isolated p50 ms | p99 ms | max ms "
        "| speed-up p99 | burst ballots | burst s | msgs/viewer | last ballot to last state p99 ms "
        "| complete |"
    )
    print("| --- " * 13 + "|")
    stock = {row["viewers"]: row for row in rows if row["mode"] == "stock"}
    for row in rows:
        other = stock.get(row["viewers"])
        speedup = f"{other['p99'] / row['p99']:.1f}x" if row["mode"] == "hub" and other else ""
        print(
            f"| {row['mode']} | {row['viewers']} | {row['connect_s']:.1f} | {row['kib']:.1f} "
            f"| {row['p50']:.0f} | {row['p99']:.0f} | {row['max']:.0f} | {speedup} "
            f"| {row['burst']} | {row['burst_s']:.1f} | {row['msgs']:.1f} | {row['lag99']:.0f} "
            f"| {'yes' if row['complete'] else 'NO'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", default="100,1000,5000")
    parser.add_argument("--modes", default="hub,stock")
    parser.add_argument("--isolated", type=int, default=10, help="ballots cast one at a time")
    parser.add_argument("--burst", type=int, default=120, help="ballots cast at once")
    parser.add_argument("--stock", type=int, default=3, help="isolated ballots, stock fan-out")
    parser.add_argument("--stock-burst", type=int, default=8, help="burst ballots, stock fan-out")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis", default=None, help="channels-redis URL (default in-memory)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    configure(args.database, args.redis)
    if args.serve:
        serve(args.serve)
        return
    try:
        import uvloop
    except ImportError:
        uvloop = None
    from consult import conf

    args.interval = float(conf.get("BROADCAST_INTERVAL"))
    ensure_database(args.database)
    rows = []
    for count in [int(n) for n in args.viewers.split(",")]:
        for mode in args.modes.split(","):
            page = make_consultation(f"{mode}-{count}")
            question = page.questions.get()
            voters = make_voters(1 + args.isolated + args.burst)
            runner = uvloop.run if uvloop else asyncio.run
            row = runner(measure(mode, count, args, (page, question.pk, voters)))
            print(
                f"{mode:5} {count:5} viewers: isolated p99 {row['p99']:.0f} ms, "
                f"burst {row['msgs']:.1f} msgs/viewer",
                flush=True,
            )
            rows.append(row)
    print_table(rows)


if __name__ == "__main__":
    main()
