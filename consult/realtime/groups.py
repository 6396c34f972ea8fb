def consultation_group(page_id: int) -> str:
    """Channel layer group of everyone watching one consultation page.

    Each worker process joins it once for all its sockets (see ``hub``).
    """
    return f"consult.consultation.{page_id}"


def question_topic(question_id: int) -> str:
    """The topic of a question's tally: ``version`` increases per topic."""
    return f"question:{question_id}"


#: The topic of a page's phase: its ``version`` is the epoch second of the
#: last phase boundary passed, so a later phase is always a newer version.
PHASE_TOPIC = "phase"
