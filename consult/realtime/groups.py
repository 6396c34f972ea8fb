def consultation_group(page_id: int) -> str:
    """Channel layer group of everyone watching one consultation page."""
    return f"consult.consultation.{page_id}"
