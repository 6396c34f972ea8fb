"""consult.realtime.coalesce: at most one run per key and interval, the last always."""

import asyncio
import logging

from consult.realtime.coalesce import Coalescer

INTERVAL = 0.2


def test_a_first_change_runs_at_once_and_a_burst_becomes_one_more_run():
    async def scenario():
        loop = asyncio.get_running_loop()
        state = {"value": 0}
        runs = []

        async def flush(key):
            runs.append((loop.time(), state["value"]))

        coalescer = Coalescer(flush, lambda: INTERVAL)
        started = loop.time()
        for value in range(1, 6):
            state["value"] = value
            coalescer.touch("q")
            await asyncio.sleep(0.02)
        await asyncio.sleep(2 * INTERVAL)
        assert [value for _, value in runs] == [1, 5], "the last state must be delivered"
        assert runs[0][0] - started < INTERVAL / 2
        assert runs[1][0] - runs[0][0] >= INTERVAL * 0.95

    asyncio.run(scenario())


def test_keys_are_independent_and_runs_of_one_key_never_overlap():
    async def scenario():
        loop = asyncio.get_running_loop()
        running = {"a": 0, "b": 0}
        most = {"a": 0, "b": 0}
        done = []

        async def flush(key):
            running[key] += 1
            most[key] = max(most[key], running[key])
            await asyncio.sleep(0.15 if key == "a" else 0)  # "a" is slower than its interval
            running[key] -= 1
            done.append((key, loop.time()))

        coalescer = Coalescer(flush, lambda: 0.05)
        started = loop.time()
        coalescer.touch("a")
        await asyncio.sleep(0.01)
        coalescer.touch("a")
        coalescer.touch("b")
        await asyncio.sleep(0.5)
        assert [key for key, _ in done].count("a") == 2
        assert most == {"a": 1, "b": 1}
        first_b = next(t for key, t in done if key == "b")
        assert first_b - started < 0.05, "a busy key must not delay another"

    asyncio.run(scenario())


def test_a_failing_run_is_logged_and_later_changes_still_run(caplog):
    async def scenario():
        calls = []

        async def flush(key):
            calls.append(key)
            if len(calls) == 1:
                raise RuntimeError("database went away")

        coalescer = Coalescer(flush, lambda: 0.01)
        coalescer.touch("q")
        await asyncio.sleep(0.05)
        coalescer.touch("q")
        await asyncio.sleep(0.05)
        assert calls == ["q", "q"]

    with caplog.at_level(logging.ERROR, logger="consult.realtime.coalesce"):
        asyncio.run(scenario())
    assert "database went away" in caplog.text


def test_close_cancels_what_is_scheduled():
    async def scenario():
        calls = []

        async def flush(key):
            calls.append(key)

        coalescer = Coalescer(flush, lambda: 0.05)
        coalescer.touch("q")
        await asyncio.sleep(0.01)
        coalescer.touch("q")  # due after the cool-down
        coalescer.close()
        coalescer.touch("q")
        await asyncio.sleep(0.1)
        assert calls == ["q"]

    asyncio.run(scenario())
