"""SQLite as an embedded database under a burst of ballots: two worker
processes write to one file; no ballot gets a 5xx, every one is stored."""

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tests import factories
from tests.conftest import POSTGRES
from tests.multiprocess.servers import (
    REPO_DIR,
    free_port,
    post_json,
    start_worker,
    stop,
    wait_for_http,
)

pytestmark = [
    pytest.mark.skipif(POSTGRES, reason="the SQLite run copies its in-memory test database"),
    pytest.mark.django_db(transaction=True),
]
CSRF = "s" * 32
VOTERS, BALLOTS = 50, 200


def session_cookie(user):
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}; csrftoken={CSRF}"


def test_200_ballots_from_50_voters_on_one_sqlite_file(tmp_path, settings):
    settings.CONSULT = {"THROTTLE_RATES": {"ballot": "100/minute"}}
    page = factories.make_consultation(allow_vote_change=True)
    question = factories.first_question(page)
    cookies = [session_cookie(factories.make_user()) for _ in range(VOTERS)]
    # The test database lives in memory: the workers get a copy of it.
    path = tmp_path / "consult.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()

    env = {
        "DJANGO_SETTINGS_MODULE": "tests.multiprocess.sqlite_settings",
        "CONSULT_WORKER_SQLITE_PATH": str(path),
    }
    ports = [free_port(), free_port()]
    workers = [start_worker(port, env) for port in ports]
    try:
        for worker, port in zip(workers, ports, strict=True):
            wait_for_http(worker, f"http://127.0.0.1:{port}/consult/api/v1/consultations/")

        def cast(n):
            port = ports[n % 2]
            return post_json(
                f"http://127.0.0.1:{port}/consult/api/v1/questions/{question.pk}/ballot/",
                {"choice": "yes" if n % 3 else "no"},
                {"Cookie": cookies[n % VOTERS], "X-CSRFToken": CSRF},
            )

        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            results = list(pool.map(cast, range(BALLOTS)))
    finally:
        for worker in workers:
            stop(worker)

    statuses = sorted(status for status, _, _ in results)
    assert [s for s in statuses if s >= 500] == [], [b for s, b, _ in results if s >= 500][:3]
    assert set(statuses) <= {200, 201}
    assert statuses.count(201) == VOTERS

    recount = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "consult_recount"],
        cwd=REPO_DIR,
        env={**env, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_DIR)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert recount.returncode == 0, recount.stdout + recount.stderr
    with sqlite3.connect(path) as db:
        (stored,) = db.execute(
            "SELECT count(*) FROM consult_ballot WHERE question_id = ?", [question.pk]
        ).fetchone()
    assert stored == VOTERS
