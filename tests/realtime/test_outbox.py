"""consult.realtime.outbox: per-socket ordering, versions and slow clients."""

import asyncio

from consult.realtime.outbox import Frame, Outbox


def frame(version, topic="question:1"):
    return Frame(topic, version, f"{topic}@{version}")


def test_frames_go_out_in_order_and_never_an_older_version():
    async def scenario():
        written = []

        async def write(text):
            written.append(text)

        outbox = Outbox(write)
        outbox.push(frame(1))
        outbox.open()
        await asyncio.sleep(0)
        for version in (3, 2, 3):
            outbox.push(frame(version))
            await asyncio.sleep(0)
        outbox.push(frame(3), again=True)  # a resync: same state once more
        outbox.push(frame(2), again=True)  # never back
        await asyncio.sleep(0)
        assert written == ["question:1@1", "question:1@3", "question:1@3"]

    asyncio.run(scenario())


def test_nothing_is_written_before_open_or_after_close():
    async def scenario():
        written = []

        async def write(text):
            written.append(text)

        outbox = Outbox(write)
        outbox.push(frame(1))
        outbox.push(frame(2))
        outbox.push(frame(5, "question:2"))
        await asyncio.sleep(0)
        assert written == []
        outbox.open()
        await asyncio.sleep(0)
        assert written == ["question:1@2", "question:2@5"]
        outbox.close()
        outbox.push(frame(3))
        await asyncio.sleep(0)
        assert written == ["question:1@2", "question:2@5"]

    asyncio.run(scenario())


def test_a_stuck_client_delays_nobody_and_keeps_only_the_newest_frame():
    async def scenario():
        unblock = asyncio.Event()
        stuck_wrote, fast_wrote = [], []

        async def stuck(text):
            await unblock.wait()
            stuck_wrote.append(text)

        async def fast(text):
            fast_wrote.append(text)

        slow_box, fast_box = Outbox(stuck), Outbox(fast)
        slow_box.open()
        fast_box.open()
        for version in range(1, 6):
            for box in (slow_box, fast_box):
                box.push(frame(version))
            await asyncio.sleep(0)
        assert fast_wrote == [f"question:1@{v}" for v in range(1, 6)]
        unblock.set()
        await asyncio.sleep(0.01)
        # The first write was under way; of the rest only the newest is left.
        assert stuck_wrote == ["question:1@1", "question:1@5"]

    asyncio.run(scenario())


def test_a_failed_write_closes_the_outbox():
    async def scenario():
        calls = []

        async def write(text):
            calls.append(text)
            raise ConnectionResetError

        outbox = Outbox(write)
        outbox.open()
        outbox.push(frame(1))
        await asyncio.sleep(0)
        outbox.push(frame(2))
        await asyncio.sleep(0)
        assert calls == ["question:1@1"]

    asyncio.run(scenario())


def test_a_write_that_has_to_wait_sees_a_cancellation():
    async def scenario():
        never = asyncio.Event()
        seen = []

        async def write(text):
            try:
                await never.wait()
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        outbox = Outbox(write)
        outbox.open()
        outbox.push(frame(1))
        task = outbox._task
        assert task is not None, "a write that waits is finished by a task"
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.wait([task])
        assert seen == ["cancelled"] and task.cancelled()

    asyncio.run(scenario())
