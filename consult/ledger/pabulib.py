"""Budget and approval questions in the pabulib format (pabulib.org/format),
so participatory-budgeting research tools read them as they are.

Voters are numbered 1..n in no meaningful order; a ballot choosing nothing
is left out (the format has no empty vote), so ``num_votes`` may be below
the tally's ``ballots``. Approval questions have neither costs nor a budget,
which the format requires: each project costs 1 and the budget is the most a
voter may choose (one fewer than all projects when that is all of them: a
budget funding everything is refused as a sign of a broken file).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, Any

PB_METHODS = ("budget", "approval")


def _cell(text: str) -> str:
    # ";" separates fields and a newline ends a row: neither may occur in a value.
    return " ".join(str(text).replace(";", ",").split())


def write_pb(
    out: IO[bytes],
    definition: Mapping[str, Any],
    results: Mapping[str, Any],
    meta: Mapping[str, str],
    contents: Iterable[Mapping[str, Any]],
) -> None:
    """Write the ``.pb`` file of a question whose stored ballots are ``contents``."""
    budget_question = definition["method"] == "budget"
    options = definition["options"]
    votes = {entry["key"]: entry for entry in results.get("results", [])}
    with tempfile.TemporaryFile() as voters:
        count = 0
        for content in contents:
            if content.get("options"):
                count += 1
                chosen = ",".join(str(pk) for pk in content["options"])
                voters.write(f"{count};{chosen}\n".encode())
        if budget_question:
            budget = definition["budget"]
        else:
            most = definition["max_choices"]
            budget = most if most is not None and most < len(options) else len(options) - 1
        # The checker wants the META fields in the order pabulib documents.
        fields = dict(meta)
        first = [
            (key, fields.pop(key, "")) for key in ("description", "country", "unit", "instance")
        ]
        counts = [
            ("num_projects", len(options)),
            ("num_votes", count),
            ("budget", budget),
            ("vote_type", "approval"),
            ("rule", "greedy" if budget_question else "unknown"),
        ]
        dates = [(key, fields.pop(key, "")) for key in ("date_begin", "date_end")]
        limits = []
        if definition["method"] == "approval":
            limits.append(("min_length", definition["min_choices"]))
            if definition["max_choices"] is not None:
                limits.append(("max_length", definition["max_choices"]))
        rows = ["META", "key;value"]
        for key, value in [*first, *counts, *dates, *fields.items(), *limits]:
            rows.append(f"{key};{_cell(value)}")
        rows += [
            "PROJECTS",
            "project_id;cost;votes;name" + (";selected" if budget_question else ""),
        ]
        for option in options:
            entry = votes.get(str(option["id"]), {})
            row = [
                str(option["id"]),
                str(option["cost"] if budget_question else 1),
                str(entry.get("votes", 0)),
                _cell(option["label"]),
            ]
            if budget_question:
                row.append("1" if entry.get("funded") else "0")
            rows.append(";".join(row))
        rows += ["VOTES", "voter_id;vote"]
        out.write(("\n".join(rows) + "\n").encode())
        voters.seek(0)
        for block in iter(lambda: voters.read(1 << 20), b""):
            out.write(block)
