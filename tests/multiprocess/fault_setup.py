"""Run in the fault-injection tests' own database: one open consultation,
signed-in voters; prints what the test needs as JSON."""

import json
import sys

import django

django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from tests import factories  # noqa: E402


def session_key(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


page = factories.make_consultation(allow_vote_change=True)
question = factories.first_question(page)
voters = int(sys.argv[1])
print(  # noqa: T201
    json.dumps(
        {
            "page": page.pk,
            "url": page.url,
            "question": question.pk,
            "sessions": [session_key(factories.make_user()) for _ in range(voters)],
        }
    )
)
