"""StreamField blocks editors place on consultation pages (and on any page)."""

from .body import ConsultationBodyBlock, HeadingBlock, ParagraphBlock

__all__ = ["ConsultationBodyBlock", "HeadingBlock", "ParagraphBlock"]
