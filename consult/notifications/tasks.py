"""Background tasks (``django-tasks``, as Wagtail uses it).

Which backend runs them is the host's ``TASKS`` setting: the immediate
backend (the default) runs them on the spot, a database backend hands them to
``manage.py db_worker``. Arguments are ids only: a task reads the committed
state when it runs. Each task handles at most ``CONSULT["NOTIFY_BATCH_SIZE"]``
people and enqueues the next batch itself.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from consult.notifications import delivery


def enqueue_on_commit(task_, *args) -> None:
    """Enqueue once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_.enqueue(*args))


@task()
def fan_out_phase(event_id: int, after_user_id: int = 0) -> None:
    after = delivery.fan_out(event_id, after_user_id)
    if after is not None:
        fan_out_phase.enqueue(event_id, after)


@task()
def send_notifications(notification_ids: list[int]) -> int:
    return delivery.deliver(notification_ids)


@task()
def send_digests(frequency: str, period: str, user_ids: list[int]) -> int:
    return delivery.send_digests(frequency, period, user_ids)
