"""Follows, notifications, digests and the e-mails that carry them.

Dependency direction: ``phases`` is pure (which phase events are due);
``follows`` and ``preferences`` are the citizens' writes; ``records`` creates
notifications and claims them for sending; ``messages`` renders and sends
e-mails; ``digests`` and ``schedule`` decide what is due now; ``tasks`` are
the background entry points (``django-tasks``); ``receivers`` turn the
services' signals into notifications. Entry points (API, pages, the
``consult_notify`` command) call these modules and never write the models.

Nothing here sends mail inside a request's transaction: receivers record the
notification in the writer's transaction and enqueue a task on commit.
"""
