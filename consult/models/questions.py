from __future__ import annotations

import logging

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

logger = logging.getLogger("consult")

#: What a ballot depends on: kept as stored once a question has ballots.
LOCKED_OPTION_FIELDS = ("label", "description", "cost")


class Question(ClusterableModel, Orderable):
    """A question put to the vote on a consultation page.

    ``method`` names a voting method from the registry in ``consult.voting``;
    the admin form offers the registered ones. The limits apply to the
    methods that use them (``min_choices``/``max_choices`` for approval,
    ``max_score`` for score, ``budget`` for budget).
    """

    page = ParentalKey(
        "consult.ConsultationPage", on_delete=models.CASCADE, related_name="questions"
    )
    title = models.CharField(_("question"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("voting method"), max_length=32, default="yes_no")
    min_choices = models.PositiveIntegerField(_("minimum choices"), default=1)
    max_choices = models.PositiveIntegerField(
        _("maximum choices"), null=True, blank=True, help_text=_("Empty: no maximum.")
    )
    max_score = models.PositiveIntegerField(
        _("maximum score"), default=5, validators=[MinValueValidator(1)]
    )
    budget = models.PositiveBigIntegerField(_("budget"), null=True, blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("method"),
        FieldRowPanel(
            [
                FieldPanel("min_choices"),
                FieldPanel("max_choices"),
                FieldPanel("max_score"),
                FieldPanel("budget"),
            ],
            heading=_("Limits"),
        ),
        InlinePanel("options", heading=_("Options"), label=_("Option")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.title

    def has_ballots(self) -> bool:
        return self.participations.exists()

    # Once a question has ballots its method, limits and options stay as they are
    # stored (SPEC §4). The page editor's form says so (``consult.admin.forms``),
    # but revisions bypass forms: publishing an old revision, a scheduled
    # one made before the vote, or reverting to one, rebuilds the page from
    # the revision's JSON and saves it, deleting children the JSON lacks. So
    # the rule is also kept here, where every path goes through:
    #
    # - ``from_serializable_data`` (every revision becomes a page through it)
    #   puts the stored method and options back into a question with
    #   ballots, so the editor and publishing see what was voted on;
    # - ``save``/``delete`` of questions and options keep the stored method,
    #   options and option texts, and refuse to delete, for code that works
    #   on the objects directly. They log instead of raising: raising would
    #   stop scheduled publishing of every page, not just this one.

    @classmethod
    def from_serializable_data(cls, data, check_fks=True, strict_fks=False):
        question = super().from_serializable_data(data, check_fks=check_fks, strict_fks=strict_fks)
        if question is not None and question.pk:
            question.restore_voted_state()
        return question

    def _stored_structure(self) -> dict | None:
        """The stored method and limits: what the ballots were checked against."""
        return Question.objects.filter(pk=self.pk).values(*STRUCTURE_FIELDS).first()

    def restore_voted_state(self) -> bool:
        """Put back the stored method, limits and options if the question has ballots.

        Returns whether it did (the question is locked).
        """
        stored = self._stored_structure()
        if stored is None or not self.has_ballots():
            return False
        for name, value in stored.items():
            setattr(self, name, value)
        self.options = list(Option.objects.filter(question_id=self.pk).order_by("sort_order", "pk"))
        return True

    def save(self, *args, **kwargs):
        if self.pk:
            stored = self._stored_structure()
            if stored is not None and self.has_ballots():
                current = {name: getattr(self, name) for name in stored}
                if current != stored:
                    logger.warning(
                        "Question %s has ballots: its method and limits stay %r (not %r).",
                        self.pk,
                        stored,
                        current,
                    )
                    for name, value in stored.items():
                        setattr(self, name, value)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and self.has_ballots():
            logger.warning("Question %s has ballots: it was not deleted.", self.pk)
            return 0, {}
        return super().delete(*args, **kwargs)


#: A question's structure: what its ballots are checked against (and what a
#: translation takes from its original).
STRUCTURE_FIELDS = ("method", "min_choices", "max_choices", "max_score", "budget")


class Option(Orderable):
    """One choice of a question. Its ``cost`` matters for budget questions only."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("label"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveBigIntegerField(_("cost"), default=0)

    panels = [FieldPanel("label"), FieldPanel("description"), FieldPanel("cost")]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label

    def _question_locked(self) -> bool:
        from .ballots import Participation

        return bool(self.question_id) and (
            Participation.objects.filter(question_id=self.question_id).exists()
        )

    def save(self, *args, **kwargs):
        # See Question: a question with ballots keeps its options as stored.
        if self._question_locked():
            stored = (
                Option.objects.filter(pk=self.pk, question_id=self.question_id)
                .values(*LOCKED_OPTION_FIELDS)
                .first()
                if self.pk
                else None
            )
            if stored is None:
                logger.warning(
                    "Question %s has ballots: option %r was not added.",
                    self.question_id,
                    self.label,
                )
                return
            for name, value in stored.items():
                setattr(self, name, value)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and self._question_locked():
            logger.warning(
                "Question %s has ballots: its option %s was not deleted.", self.question_id, self.pk
            )
            return 0, {}
        return super().delete(*args, **kwargs)
