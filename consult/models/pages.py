from __future__ import annotations

from datetime import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from consult import conf
from consult.blocks import ConsultationBodyBlock, EligibilityBlock
from consult.forms import ConsultationPageForm, QuestionForm
from consult.panels import FormClassInlinePanel


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    PROPOSALS = "proposals", _("Collecting proposals")
    VOTING = "voting", _("Voting open")
    CLOSED = "closed", _("Closed")


class ResultsVisibility(models.TextChoices):
    LIVE = "live", _("Live, while voting is open")
    AFTER_CLOSE = "after_close", _("After voting closes")
    HIDDEN = "hidden", _("Hidden from the public")


class BallotSecrecy(models.TextChoices):
    PUBLIC = "public", _("Public: voters can see and change their own ballot")
    SECRET = "secret", _("Secret: nobody can see who chose what")


class Moderation(models.TextChoices):
    PRE = "pre", _("Before publication")
    POST = "post", _("After publication")


def _phase_active(now: datetime, opens: datetime | None, closes: datetime | None) -> bool:
    return opens is not None and opens <= now and (closes is None or now < closes)


def _contribution_view(name: str):
    """A page route served by ``consult.contribution_views.<name>(request, page, ...)``.

    The views are imported when called: models do not import the layers above them.
    """

    def view(page, request, *args, **kwargs):
        from consult import contribution_views

        return getattr(contribution_views, name)(request, page, *args, **kwargs)

    view.__name__ = name
    return view


#: Ids in page routes: digits that fit a 64-bit column (longer ones are not ids).
_ID = r"(?P<%s>[0-9]{1,18})"


class ConsultationIndexPage(Page):
    """Lists its child consultations, filterable by ``?status=upcoming|open|closed``."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["consult.ConsultationPage"]
    template = "consult/consultation_index_page.html"

    FILTERS = {
        "upcoming": (Status.UPCOMING,),
        "open": (Status.PROPOSALS, Status.VOTING),
        "closed": (Status.CLOSED,),
    }

    class Meta:
        verbose_name = _("consultation index")
        verbose_name_plural = _("consultation indexes")

    def consultations(self, status_filter: str | None = None) -> list[ConsultationPage]:
        pages = ConsultationPage.objects.child_of(self).live().order_by("-first_published_at")
        wanted = self.FILTERS.get(status_filter or "")
        return [page for page in pages if wanted is None or page.status in wanted]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        status_filter = request.GET.get("status")
        if status_filter not in self.FILTERS:
            status_filter = None
        context["status_filter"] = status_filter
        context["filters"] = [
            ("", pgettext_lazy("consultations filter", "All")),
            ("upcoming", pgettext_lazy("consultations filter", "Upcoming")),
            ("open", pgettext_lazy("consultations filter", "Open")),
            ("closed", pgettext_lazy("consultations filter", "Closed")),
        ]
        context["consultations"] = self.consultations(status_filter)
        context["consult_base_template"] = conf.get("BASE_TEMPLATE")
        return context


class ConsultationPage(RoutablePageMixin, Page):
    """One consultation: phases, questions to vote on, proposals and comments.

    Citizens' proposals and comments are served under the page's own URL
    (``proposals/``, ``proposals/<id>/``, ...: see the routes at the end of the
    class); their views live in ``consult.contribution_views``.
    """

    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ConsultationBodyBlock(), blank=True, verbose_name=_("body"))

    proposals_open_at = models.DateTimeField(_("proposals open at"), null=True, blank=True)
    proposals_close_at = models.DateTimeField(_("proposals close at"), null=True, blank=True)
    voting_open_at = models.DateTimeField(_("voting opens at"), null=True, blank=True)
    voting_close_at = models.DateTimeField(_("voting closes at"), null=True, blank=True)

    results_visibility = models.CharField(
        _("results visibility"),
        max_length=16,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.LIVE,
    )
    ballot_secrecy = models.CharField(
        _("ballot secrecy"),
        max_length=16,
        choices=BallotSecrecy.choices,
        default=BallotSecrecy.SECRET,
    )
    allow_vote_change = models.BooleanField(
        _("allow voters to change their vote"),
        default=True,
        help_text=_("While voting is open, a voter may replace or withdraw their ballot."),
    )
    comments_enabled = models.BooleanField(_("comments enabled"), default=True)
    moderation = models.CharField(
        _("moderation"),
        max_length=8,
        choices=Moderation.choices,
        default=Moderation.POST,
        help_text=_("Whether citizen contributions are checked before or after they appear."),
    )
    eligibility = StreamField(
        EligibilityBlock(),
        blank=True,
        default=list,
        verbose_name=_("who may take part"),
        help_text=_(
            "A person must meet every rule to take part in the ways it applies to. "
            "No rule: anyone signed in (with a confirmed e-mail address)."
        ),
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Proposals with at least this many supports are marked as having reached it. "
            "Empty: no threshold."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("proposals_open_at"), FieldPanel("proposals_close_at")]),
                FieldRowPanel([FieldPanel("voting_open_at"), FieldPanel("voting_close_at")]),
            ],
            heading=_("Phases"),
            help_text=_("Leave both dates of a phase empty to switch that phase off."),
        ),
        FormClassInlinePanel(
            "questions", form_class=QuestionForm, heading=_("Questions"), label=_("Question")
        ),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldPanel("results_visibility"),
                FieldPanel("ballot_secrecy"),
                FieldPanel("allow_vote_change"),
                FieldPanel("comments_enabled"),
                FieldPanel("moderation"),
                FieldPanel("support_threshold"),
            ],
            heading=_("Participation rules"),
        ),
    ]

    eligibility_panels = [FieldPanel("eligibility")]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(eligibility_panels, heading=_("Who may take part")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(settings_panels, heading=_("Settings")),
        ]
    )

    base_form_class = ConsultationPageForm
    parent_page_types = ["consult.ConsultationIndexPage"]
    subpage_types: list[str] = []
    template = "consult/consultation_page.html"

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        permissions = [
            ("view_results", _("Can see the results of every consultation, hidden ones too")),
        ]

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def status_at(self, now: datetime) -> str:
        if _phase_active(now, self.voting_open_at, self.voting_close_at):
            return Status.VOTING
        if _phase_active(now, self.proposals_open_at, self.proposals_close_at):
            return Status.PROPOSALS
        if any(opens and opens > now for opens in (self.proposals_open_at, self.voting_open_at)):
            return Status.UPCOMING
        return Status.CLOSED

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    def voting_state(self, now: datetime | None = None) -> str:
        """``"not_open"``, ``"open"`` or ``"closed"`` for the voting phase alone."""
        now = now or timezone.now()
        if self.voting_open_at is None or now < self.voting_open_at:
            return "not_open"
        if self.voting_close_at is not None and now >= self.voting_close_at:
            return "closed"
        return "open"

    def get_context(self, request, *args, **kwargs):
        from consult.contribution_views import contributions_context
        from consult.views import consultation_context  # views import models

        context = super().get_context(request, *args, **kwargs)
        context.update(consultation_context(self, request))
        context.update(contributions_context(self, request))
        return context

    # Citizens' proposals and comments. GET routes render pages; the others
    # take plain form POSTs (JavaScript off) and redirect back with a message.
    proposals_route = path("proposals/", name="proposals")(_contribution_view("proposal_list"))
    proposal_new_route = path("proposals/new/", name="proposal_new")(
        _contribution_view("proposal_create")
    )
    proposal_route = re_path(rf"^proposals/{_ID % 'proposal_id'}/$", name="proposal")(
        _contribution_view("proposal_detail")
    )
    proposal_edit_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/edit/$", name="proposal_edit"
    )(_contribution_view("proposal_edit"))
    proposal_withdraw_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/withdraw/$", name="proposal_withdraw"
    )(_contribution_view("proposal_withdraw"))
    proposal_support_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/support/$", name="proposal_support"
    )(_contribution_view("proposal_support"))
    proposal_report_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/report/$", name="proposal_report"
    )(_contribution_view("proposal_report"))
    comment_new_route = path("comments/", name="comment_new")(_contribution_view("comment_create"))
    comment_edit_route = re_path(rf"^comments/{_ID % 'comment_id'}/edit/$", name="comment_edit")(
        _contribution_view("comment_edit")
    )
    comment_delete_route = re_path(
        rf"^comments/{_ID % 'comment_id'}/delete/$", name="comment_delete"
    )(_contribution_view("comment_delete"))
    comment_report_route = re_path(
        rf"^comments/{_ID % 'comment_id'}/report/$", name="comment_report"
    )(_contribution_view("comment_report"))
