"""Helpers for race tests on a real database."""

import threading


def hammer(calls):
    """Run ``calls`` at the same instant in their own threads (each with its
    own database connection); return their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    outcomes = []
    lock = threading.Lock()

    def worker(call):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            result = call()
        except Exception as error:  # noqa: BLE001  (the outcome is what we assert)
            result = error
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(calls)
    return outcomes
