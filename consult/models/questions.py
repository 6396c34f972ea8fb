from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable


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
