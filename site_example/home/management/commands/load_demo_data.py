"""Seed the example site: a home page using the app's blocks, a consultation
index with an open consultation (a question of each of the six methods), one
collecting proposals and one closed with published results, pictures drawn
here (nothing is downloaded), and demo accounts with verified emails whose
groups give them what the README says."""

import io
import os
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image as Picture
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import GroupPagePermission, Page, Site

from consult.contributions import services
from consult.models import ConsultationIndexPage, ConsultationPage, Option, Question
from consult.voting import services as voting
from site_example.home.models import HomePage

PASSWORD = "consult-demo-2026"  # noqa: S105  (demo accounts only)

ACCOUNTS = [
    # (email, first name, groups, is_superuser)
    ("admin@example.org", "Ada", (), True),
    ("editor@example.org", "Edith", ("Editors",), False),
    ("moderator@example.org", "Moritz", ("Moderators", "Consultation moderators"), False),
    ("anna@example.org", "Anna", (), False),
    ("ben@example.org", "Ben", (), False),
    ("chloe@example.org", "Chloé", (), False),
]
#: Residents who voted in the closed consultation (no password: they cannot sign in).
RESIDENTS = 24


class Command(BaseCommand):
    help = "Load demo pages and accounts (safe to run twice)."

    @transaction.atomic
    def handle(self, *args, **options):
        self.create_accounts()
        self.grant_editors()
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
            market = self.create_consultation(index.specific)
            park = self.create_proposals_phase(index.specific)
            self.create_closed(index.specific)
            self.fill_home(home, market, park)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def create_accounts(self):
        User = get_user_model()
        for email, first_name, groups, superuser in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=email.split("@")[0],
                defaults={"email": email, "first_name": first_name},
            )
            if created:
                user.set_password(PASSWORD)
                user.is_superuser = user.is_staff = superuser
                user.save()
                user.groups.add(*Group.objects.filter(name__in=groups))
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )

    def grant_editors(self):
        """Wagtail's "Editors" may add and edit pages; here they also publish
        and see every consultation's results, as the README says."""
        editors = Group.objects.get(name="Editors")
        editors.permissions.add(
            Permission.objects.get(content_type__app_label="consult", codename="view_results")
        )
        GroupPagePermission.objects.get_or_create(
            group=editors,
            page=Page.get_first_root_node(),
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename="publish_page"
            ),
        )

    def picture(self, title: str, colours: tuple[str, str], seed: int) -> Image:
        """A simple drawn picture (sky, ground, shapes), stored as a Wagtail image."""
        width, height = 1200, 500
        canvas = Picture.new("RGB", (width, height), colours[0])
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((0, height * 0.62, width, height), fill=colours[1])
        shapes = random.Random(seed)  # noqa: S311  (a drawing, repeatable)
        for _ in range(9):
            x, size = shapes.randrange(0, width), shapes.randrange(50, 140)
            top = height * 0.62 - size
            draw.ellipse((x, top - size / 2, x + size, top + size / 2), fill="#2f7d4f")
            draw.rectangle(
                (x + size / 2 - 6, top + size / 2, x + size / 2 + 6, height * 0.62), fill="#6b4f2a"
            )
        draw.ellipse((width - 220, 50, width - 120, 150), fill="#ffd75e")
        data = io.BytesIO()
        canvas.save(data, "JPEG", quality=82)
        return Image.objects.create(title=title, file=ImageFile(data, name=f"{seed}.jpg"))

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
        port = int(os.environ.get("PORT", "8000"))
        site.hostname, site.port, site.site_name = "127.0.0.1", port, "Example City"
        site.save()
        if old_root and old_root.pk != home.pk and not old_root.get_children().exists():
            old_root.delete()
        return home

    def create_consultation(self, index: ConsultationIndexPage) -> ConsultationPage:
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
            image=self.picture("The Market Square", ("#bfe3f5", "#c9b79c"), 1),
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
        projects = [
            Option(label="Trees and benches", cost=40_000),
            Option(label="A drinking fountain", cost=15_000),
            Option(label="A covered bicycle park", cost=60_000),
            Option(label="A children's play area", cost=35_000),
        ]
        page.questions = [
            car_free,
            design,
            Question(
                title="Which uses should the square make room for?",
                description="Choose up to two.",
                method="approval",
                max_choices=2,
                options=[
                    Option(label=label) for label in ("Markets", "Concerts", "Sport", "Quiet")
                ],
            ),
            Question(
                title="Rank the names proposed for the square",
                method="ranked",
                options=[
                    Option(label=label) for label in ("Old Market", "Linden Square", "Riverside")
                ],
            ),
            Question(
                title="How important is each of these to you?",
                method="score",
                max_score=5,
                options=[Option(label=label) for label in ("Shade", "Seating", "Lighting")],
            ),
            Question(
                title="How should the square's budget be spent?",
                method="budget",
                budget=100_000,
                options=projects,
            ),
        ]
        index.add_child(instance=page)
        page.save_revision().publish()
        return page

    def create_proposals_phase(self, index: ConsultationIndexPage) -> ConsultationPage:
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
            image=self.picture("The riverside park", ("#cde8ff", "#7fb069"), 2),
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
        return page

    def create_closed(self, index: ConsultationIndexPage) -> None:
        """A consultation whose voting closed last week, results published."""
        now = timezone.now()
        page = ConsultationPage(
            title="Night buses",
            slug="night-buses",
            intro="<p>Which night bus lines should run from next year? The vote is over.</p>",
            search_description="The results of the vote on night buses.",
            voting_open_at=now - timedelta(days=21),
            voting_close_at=now + timedelta(days=1),
            results_visibility="after_close",
            ballot_secrecy="secret",
            image=self.picture("Night buses", ("#25315c", "#3b3b46"), 3),
        )
        lines = Question(
            title="Which lines should run at night?",
            method="ranked",
            options=[Option(label=label) for label in ("Line 1", "Line 4", "Line 7", "Line 9")],
        )
        weekend = Question(title="Should night buses also run on Sundays?", method="yes_no")
        page.questions = [lines, weekend]
        index.add_child(instance=page)
        page.save_revision().publish()
        lines, weekend = page.questions.all()
        options = [option.pk for option in lines.options.all()]
        draw = random.Random(7)  # noqa: S311  (demo ballots, repeatable)
        User = get_user_model()
        residents = User.objects.bulk_create(
            User(
                username=f"resident{n}",
                email=f"resident{n}@example.org",
                password=make_password(None),
            )
            for n in range(RESIDENTS)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in residents
        )
        for resident in residents:
            ranking = draw.sample(options, k=draw.randint(1, len(options)))
            voting.cast_ballot(resident, lines, {"ranking": ranking})
            choice = draw.choices(("yes", "no", "abstain"), weights=(6, 3, 1))[0]
            voting.cast_ballot(resident, weekend, {"choice": choice})
        # Closed now that the ballots are in: the results are public.
        page.voting_close_at = now - timedelta(days=7)
        page.save_revision().publish()

    def fill_home(self, home: HomePage, market: ConsultationPage, park: ConsultationPage) -> None:
        """The app's blocks on the home page: a call to action, live results,
        the timeline and the latest proposals."""
        car_free = market.questions.get(method="yes_no")
        home.body = [
            ("heading", {"text": "Have your say", "level": "h2"}),
            ("call_to_action", {"consultation": market, "text": ""}),
            ("live_results", {"question": car_free, "heading": ""}),
            ("timeline", {"consultation": market}),
            ("proposals", {"consultation": park, "count": 3, "ordering": "supports"}),
        ]
        home.save_revision().publish()
