def consultation_group(page_id: int) -> str:
    """Channel layer group of everyone watching one consultation page.

    Each worker process joins it once for all its sockets (see ``hub``).
    """
    return f"consult.consultation.{page_id}"


def question_topic(question_id: int) -> str:
    """The topic of a question's tally: ``version`` increases per topic."""
    return f"question:{question_id}"
