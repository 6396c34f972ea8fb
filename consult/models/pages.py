from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, CharField, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet

from consult import conf


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


# A consultation's status, the one definition: ``ConsultationPage.status_at``
# in Python and ``status_conditions`` in SQL say the same thing, side by side.
# The voting phase wins over the proposals phase; "upcoming" means a phase
# still to open; everything else is closed.


def _phase_active(now: datetime, opens: datetime | None, closes: datetime | None) -> bool:
    return opens is not None and opens <= now and (closes is None or now < closes)


def _phase_active_q(phase: str, now: datetime) -> Q:
    return Q(**{f"{phase}_open_at__lte": now}) & (
        Q(**{f"{phase}_close_at__isnull": True}) | Q(**{f"{phase}_close_at__gt": now})
    )


def status_conditions(now: datetime) -> list[tuple[Q, Status]]:
    """``status_at(now)`` as SQL conditions, first match wins; none: closed."""
    return [
        (_phase_active_q("voting", now), Status.VOTING),
        (_phase_active_q("proposals", now), Status.PROPOSALS),
        (Q(proposals_open_at__gt=now) | Q(voting_open_at__gt=now), Status.UPCOMING),
    ]


def status_q(status: str, now: datetime) -> Q:
    """Pages whose ``status_at(now)`` is ``status``."""
    earlier = Q()
    for condition, value in status_conditions(now):
        if value == status:
            return condition & ~earlier if earlier else condition
        earlier |= condition
    if status != Status.CLOSED:
        raise ValueError(f"unknown status {status!r}")
    return ~earlier


class ConsultationPageQuerySet(PageQuerySet):
    def with_status(self, *statuses: str, now: datetime | None = None):
        """Consultations in any of ``statuses`` at ``now`` (default: now)."""
        now = now or timezone.now()
        query = Q()
        for status in statuses:
            query |= status_q(status, now)
        return self.filter(query)

    def annotate_status(self, now: datetime | None = None):
        """Annotated with ``current_status`` (``status_at(now)``) and
        ``status_rank`` (0 voting, 1 proposals, 2 upcoming, 3 closed: what
        needs attention first)."""
        now = now or timezone.now()
        conditions = status_conditions(now)

        def case(values, output_field):
            return Case(
                *(When(condition, then=Value(values[status])) for condition, status in conditions),
                default=Value(values[Status.CLOSED]),
                output_field=output_field,
            )

        return self.annotate(
            current_status=case({status: str(status) for status in Status}, CharField()),
            status_rank=case(STATUS_RANK, IntegerField()),
        )


#: Listing order of statuses: what needs attention first.
STATUS_RANK = {Status.VOTING: 0, Status.PROPOSALS: 1, Status.UPCOMING: 2, Status.CLOSED: 3}


# The pages' behaviour that belongs to the layers above the models (the views
# that build their context and serve their routes, the blocks of the body)
# is handed to the models by ``ConsultConfig.ready()``, the app's wiring
# place: models never import those layers, and those layers import models.
_wiring: dict[str, Any] = {}


def wire(
    *,
    body_block: Any,
    eligibility_block: Any,
    index_context: Callable[..., dict[str, Any]],
    page_context: Callable[..., dict[str, Any]],
    routes: Mapping[str, Callable[..., Any]],
) -> None:
    """Connect the page models to their blocks and views (from ``ready()``).

    ``index_context(page, request)`` and ``page_context(page, request)`` add
    to the index's and the consultation's template context; ``routes`` maps
    each route name of ``ConsultationPage`` to a view
    ``view(request, page, **kwargs)``.
    """
    body = ConsultationPage._meta.get_field("body")
    body.block_types_arg = body_block
    body.__dict__.pop("stream_block", None)  # built from the old blocks, if ever read
    eligibility = ConsultationPage._meta.get_field("eligibility")
    eligibility.block_types_arg = eligibility_block
    eligibility.__dict__.pop("stream_block", None)
    _wiring.update(
        index_context=index_context,
        page_context=page_context,
        routes=dict(routes),
    )


def _route(name: str):
    """The page's route ``name``, served by the view wired for it."""

    def view(page, request, *args, **kwargs):
        return _wiring["routes"][name](request, page, *args, **kwargs)

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

    def consultations(self, status_filter: str | None = None):
        """Live child consultations in ``status_filter`` (see ``FILTERS``),
        before page privacy (the index's context applies it)."""
        pages = ConsultationPage.objects.child_of(self).live().order_by("-first_published_at")
        wanted = self.FILTERS.get(status_filter or "")
        return pages if wanted is None else pages.with_status(*wanted)

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
        context.update(_wiring["index_context"](self, request, context["consultations"]))
        return context


class ConsultationPage(RoutablePageMixin, Page):
    """One consultation: phases, questions to vote on, proposals and comments.

    Citizens' proposals and comments are served under the page's own URL
    (``proposals/``, ``proposals/<id>/``, ...: see the routes at the end of the
    class); their views live in ``consult.views``. Its editing panels are
    ``consult.admin.panels``.
    """

    intro = RichTextField(_("introduction"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the top of the page and on its card in listings."),
    )
    # Its blocks are ``consult.blocks.ConsultationBodyBlock``, handed over by
    # ``wire()`` when the app is ready (StreamField builds its block on first use).
    body = StreamField([], blank=True, verbose_name=_("body"))

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
    # One block per eligibility rule (``consult.blocks.EligibilityBlock``,
    # handed over by ``wire()``); read by ``consult.eligibility``.
    eligibility = StreamField(
        [],
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

    objects = PageManager.from_queryset(ConsultationPageQuerySet)()

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

    def phase_boundaries(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The last phase boundary (a proposals or voting opening or closing
        time) at or before ``now``, and the next one after it; None for none.
        Between two boundaries the page's status and forms stay the same."""
        times = [
            moment
            for moment in (
                self.proposals_open_at,
                self.proposals_close_at,
                self.voting_open_at,
                self.voting_close_at,
            )
            if moment is not None
        ]
        passed = max((moment for moment in times if moment <= now), default=None)
        upcoming = min((moment for moment in times if moment > now), default=None)
        return passed, upcoming

    def voting_state(self, now: datetime | None = None) -> str:
        """``"not_open"``, ``"open"`` or ``"closed"`` for the voting phase alone."""
        now = now or timezone.now()
        if self.voting_open_at is None or now < self.voting_open_at:
            return "not_open"
        if self.voting_close_at is not None and now >= self.voting_close_at:
            return "closed"
        return "open"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(_wiring["page_context"](self, request))
        return context

    # Citizens' proposals and comments. GET routes render pages; the others
    # take plain form POSTs (JavaScript off) and redirect back with a message.
    proposals_route = path("proposals/", name="proposals")(_route("proposal_list"))
    proposal_new_route = path("proposals/new/", name="proposal_new")(_route("proposal_create"))
    proposal_route = re_path(rf"^proposals/{_ID % 'proposal_id'}/$", name="proposal")(
        _route("proposal_detail")
    )
    proposal_edit_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/edit/$", name="proposal_edit"
    )(_route("proposal_edit"))
    proposal_withdraw_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/withdraw/$", name="proposal_withdraw"
    )(_route("proposal_withdraw"))
    proposal_support_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/support/$", name="proposal_support"
    )(_route("proposal_support"))
    proposal_report_route = re_path(
        rf"^proposals/{_ID % 'proposal_id'}/report/$", name="proposal_report"
    )(_route("proposal_report"))
    comment_new_route = path("comments/", name="comment_new")(_route("comment_create"))
    comment_edit_route = re_path(rf"^comments/{_ID % 'comment_id'}/edit/$", name="comment_edit")(
        _route("comment_edit")
    )
    comment_delete_route = re_path(
        rf"^comments/{_ID % 'comment_id'}/delete/$", name="comment_delete"
    )(_route("comment_delete"))
    comment_report_route = re_path(
        rf"^comments/{_ID % 'comment_id'}/report/$", name="comment_report"
    )(_route("comment_report"))
