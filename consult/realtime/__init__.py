"""Live updates: committed state, published once per interval, fanned out per process.

``broadcast`` (publisher: after commit, coalesced per question, one group
message) → channel layer → ``hub`` (one group membership per worker process
and consultation, coalesced per topic, serialised once) → ``outbox`` (one per
socket) → ``consult.consumers``. ``coalesce``, ``loops``, ``limits`` and
``groups`` are their small helpers; ``checks`` checks the layer's settings.

``realtime`` reads committed state and the settings; it never imports the
API or the consumers. docs/explanation/realtime.md describes the design.
"""
