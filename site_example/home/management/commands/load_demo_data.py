"""Seed the example site: a home page, a consultation index, one open
consultation with two questions, and demo accounts with verified emails."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from consult.contributions import services
from consult.models import ConsultationIndexPage, ConsultationPage, Option, Question
from site_example.home.models import HomePage

PASSWORD = "consult-demo-2026"  # noqa: S105  (demo accounts only)

ACCOUNTS = [
    # (email, first name, group, is_superuser)
    ("admin@example.org", "Ada", None, True),
    ("editor@example.org", "Edith", "Editors", False),
    ("moderator@example.org", "Moritz", "Consultation moderators", False),
    ("anna@example.org", "Anna", None, False),
    ("ben@example.org", "Ben", None, False),
    ("chloe@example.org", "Chloé", None, False),
]


class Command(BaseCommand):
    help = "Load demo pages and accounts (safe to run twice)."

    @transaction.atomic
    def handle(self, *args, **options):
        self.create_accounts()
        home = self.create_home()
        index = home.get_children().type(ConsultationIndexPage).first()
        if index is None:
            index = home.add_child(
                instance=ConsultationIndexPage(
                    title="Consultations",
                    slug="consultations",
                    intro="<p>Have your say on what happens in Example City.</p>",
                )
            )
            home.consultations = index
            home.save_revision().publish()
        if not ConsultationPage.objects.child_of(index).exists():
            self.create_consultation(index.specific)
            self.create_proposals_phase(index.specific)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def create_accounts(self):
        User = get_user_model()
        for email, first_name, group, superuser in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=email.split("@")[0],
                defaults={"email": email, "first_name": first_name},
            )
            if created:
                user.set_password(PASSWORD)
                user.is_superuser = user.is_staff = superuser
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )

    def create_home(self) -> HomePage:
        home = HomePage.objects.first()
        if home:
            return home
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="Example City",
                slug="example-city",
                intro="<p>Welcome to the city's participation portal.</p>",
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        # make demo serves http://127.0.0.1:8000: canonical and share URLs say so.
        site = site or Site(is_default_site=True)
        site.root_page = home
        site.hostname, site.port, site.site_name = "127.0.0.1", 8000, "Example City"
        site.save()
        if old_root and old_root.pk != home.pk and not old_root.get_children().exists():
            old_root.delete()
        return home

    def create_consultation(self, index: ConsultationIndexPage) -> None:
        now = timezone.now()
        page = ConsultationPage(
            title="A new Market Square",
            slug="market-square",
            intro="<p>The Market Square will be rebuilt next year. Tell us what you want.</p>",
            search_description="Vote on the future of the Market Square.",
            proposals_open_at=now - timedelta(days=14),
            proposals_close_at=now - timedelta(days=1),
            voting_open_at=now - timedelta(hours=1),
            voting_close_at=now + timedelta(days=30),
            results_visibility="live",
            ballot_secrecy="secret",
        )
        car_free = Question(
            title="Should the Market Square be car-free?",
            description="Deliveries would still be allowed before 10 am.",
            method="yes_no",
        )
        design = Question(title="Which design do you prefer?", method="single")
        design.options = [
            Option(label="Green square", description="Trees, lawns and a water feature."),
            Option(label="Market hall", description="A covered market open every day."),
            Option(label="Open plaza", description="Space for events and the weekly market."),
        ]
        page.questions = [car_free, design]
        index.add_child(instance=page)
        page.save_revision().publish()

    def create_proposals_phase(self, index: ConsultationIndexPage) -> None:
        """A second consultation collecting proposals, with a few to discuss."""
        now = timezone.now()
        page = ConsultationPage(
            title="Ideas for the riverside park",
            slug="riverside-park",
            intro="<p>What should the new riverside park offer? Propose, support, discuss.</p>",
            search_description="Propose and discuss ideas for the riverside park.",
            proposals_open_at=now - timedelta(days=2),
            proposals_close_at=now + timedelta(days=21),
            voting_open_at=now + timedelta(days=28),
            voting_close_at=now + timedelta(days=42),
            moderation="post",
            support_threshold=3,
        )
        page.questions = [
            Question(
                title="Which ideas should the city fund?",
                method="budget",
                budget=100_000,
                options=[
                    Option(label="Playground", cost=60_000),
                    Option(label="Outdoor gym", cost=30_000),
                    Option(label="Picnic tables", cost=15_000),
                ],
            )
        ]
        index.add_child(instance=page)
        page.save_revision().publish()
        anna, ben, chloe = (
            get_user_model().objects.get(email=f"{name}@example.org")
            for name in ("anna", "ben", "chloe")
        )
        swim = services.submit_proposal(
            anna,
            page,
            title="A swimming spot with a jetty",
            body="The river is clean enough now.\n\nA wooden jetty would make it safe.",
        )
        services.submit_proposal(
            ben, page, title="Shade trees along the path", body="The path has no shade at all."
        )
        services.support_proposal(ben, swim)
        services.support_proposal(chloe, swim)
        services.post_comment(
            chloe, page, body="Yes please, with a lifeguard in summer.", proposal=swim, stance="for"
        )
