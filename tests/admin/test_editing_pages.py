"""Where editors can create consultation pages, and that what they create
renders, routes and previews (Wagtail's own page test assertions)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from consult.models import ConsultationIndexPage, ConsultationPage
from tests import factories
from tests.admin.test_page_form import current_questions, page_data


class ConsultationPageTypesTest(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = factories.make_index()
        cls.consultation = factories.make_consultation(
            index=cls.index,
            questions=[
                {"title": "Car-free?", "method": "yes_no"},
                {"title": "Design?", "method": "single", "options": ["A", "B"]},
            ],
        )

    def setUp(self):
        self.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.org", "pw"
        )
        self.client.force_login(self.editor)

    def test_consultations_live_under_an_index_only(self):
        self.assertAllowedParentPageTypes(ConsultationPage, {ConsultationIndexPage})
        self.assertCanCreateAt(ConsultationIndexPage, ConsultationPage)
        self.assertCanNotCreateAt(Page, ConsultationPage)
        self.assertCanNotCreateAt(ConsultationPage, ConsultationPage)

    def test_an_index_holds_consultations_and_a_consultation_nothing(self):
        self.assertAllowedSubpageTypes(ConsultationIndexPage, {ConsultationPage})
        self.assertAllowedSubpageTypes(ConsultationPage, set())
        self.assertCanCreateAt(Page, ConsultationIndexPage)

    def test_editor_creates_a_consultation_with_nested_questions(self):
        data = nested_form_data(
            {
                "title": "Library opening hours",
                "slug": "library-hours",
                "intro": rich_text("<p>Tell us.</p>"),
                "body": streamfield(
                    [("call_to_action", {"consultation": "", "text": "Have your say"})]
                ),
                "eligibility": streamfield([]),
                "proposals_open_at": "",
                "proposals_close_at": "",
                "voting_open_at": "2030-01-01 09:00",
                "voting_close_at": "2030-01-15 18:00",
                "results_visibility": "after_close",
                "ballot_secrecy": "secret",
                "allow_vote_change": "on",
                "comments_enabled": "on",
                "moderation": "post",
                "questions": inline_formset(
                    [
                        {
                            "title": "Open on Sundays?",
                            "description": "",
                            "method": "yes_no",
                            "min_choices": "1",
                            "max_choices": "",
                            "max_score": "5",
                            "budget": "",
                            "options": inline_formset([]),
                        }
                    ]
                ),
            }
        )
        self.assertCanCreate(self.index, ConsultationPage, data)
        created = ConsultationPage.objects.get(slug="library-hours")
        self.assertEqual([q.title for q in created.questions.all()], ["Open on Sundays?"])

    def test_pages_render_route_and_preview(self):
        self.assertPageIsRoutable(self.consultation)
        self.assertPageIsRenderable(self.consultation)
        self.assertPageIsRoutable(self.consultation, "proposals/")
        self.assertPageIsRenderable(self.index)
        # Wagtail cannot derive a StreamField's and nested formsets' POST data.
        post_data = page_data(self.consultation, current_questions(self.consultation))
        self.assertPageIsPreviewable(self.consultation, post_data=post_data)
        self.assertPageIsEditable(self.consultation, post_data=post_data)
