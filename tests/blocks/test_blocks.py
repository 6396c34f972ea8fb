"""The StreamField blocks editors place on consultation pages and elsewhere:
registration, previews (on an empty database too), rendering, escaping and
API representations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import include, path
from django.utils import timezone
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.documents.models import Document
from wagtail.test.utils.form_data import nested_form_data, streamfield

import consult.blocks as consult_blocks
from consult.blocks import (
    CallToActionBlock,
    ConsultationBodyBlock,
    KeyFactsBlock,
    LiveResultsBlock,
    PhaseTimelineBlock,
    ProposalsListBlock,
)
from consult.blocks.phases import phase_steps
from consult.models import Category, ConsultationPage, Proposal
from consult.voting import services
from tests import factories
from tests import urls as test_urls

urlpatterns = [
    path("documents/", include(wagtaildocs_urls)),
    *test_urls.urlpatterns,
]

NEW_BLOCKS = {
    "live_results": LiveResultsBlock,
    "proposals": ProposalsListBlock,
    "phase_timeline": PhaseTimelineBlock,
    "call_to_action": CallToActionBlock,
    "key_facts": KeyFactsBlock,
}
XSS = '<script>alert("x")</script>'


def anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


def render(block_class, value, page=None, request=None):
    block = block_class()
    value = block.to_python(value) if isinstance(value, dict) else value
    context = {"request": request or anonymous_request()}
    if page is not None:
        context["page"] = page
    return block.render(value, context=context)


# --------------------------------------------------------------------------
# Registration and editor-facing metadata.


def test_body_block_offers_the_new_blocks():
    children = ConsultationBodyBlock().child_blocks
    for name, block_class in NEW_BLOCKS.items():
        assert isinstance(children[name], block_class)


def test_blocks_are_exported_for_host_streamfields():
    for block_class in NEW_BLOCKS.values():
        assert getattr(consult_blocks, block_class.__name__) is block_class
        assert block_class.__name__ in consult_blocks.__all__


@pytest.mark.parametrize("block_class", NEW_BLOCKS.values(), ids=list(NEW_BLOCKS))
def test_meta_for_the_block_picker(block_class):
    block = block_class()
    assert block.meta.icon
    assert str(block.get_description())
    assert hasattr(block.meta, "preview_value")
    assert block.meta.template.startswith("consult/blocks/")
    assert block.is_previewable


@pytest.mark.parametrize("block_class", NEW_BLOCKS.values(), ids=list(NEW_BLOCKS))
def test_previews_render_on_an_empty_database(admin_client, block_class):
    block = block_class()
    response = admin_client.get("/admin/block-preview/", {"id": block.definition_prefix})
    assert response.status_code == 200
    html = response.content.decode()
    assert "consult/consult.css" in html
    assert "consult-block" in html
    assert "Traceback" not in html


def test_results_preview_uses_a_real_question_when_there_is_one(admin_client, consultation):
    block = LiveResultsBlock()
    question = block.get_preview_value()["question"]
    assert question is not None and question.page_id == consultation.pk
    response = admin_client.get("/admin/block-preview/", {"id": block.definition_prefix})
    assert question.title in response.content.decode()


# --------------------------------------------------------------------------
# Live results.


def test_live_results_on_another_page_is_its_own_live_root(single):
    services.cast_ballot(factories.make_user(), single, {"option": single.options.first().pk})
    html = render(LiveResultsBlock, {"question": single.pk, "heading": ""})

    assert f'data-consult-page="{single.page_id}"' in html
    assert f'data-ws-path="/ws/consult/consultations/{single.page_id}/"' in html
    assert "data-consult-announcer" in html
    assert "consult/consult.js" in html
    assert "consult/consult.css" in html  # a host page does not load it
    assert re.search(r"<td[^>]*data-votes[^>]*>1</td>", html)
    assert single.title in html


def test_live_results_on_its_own_page_leaves_the_page_script_alone(single):
    html = render(LiveResultsBlock, {"question": single.pk, "heading": "Our design"}, single.page)
    assert "data-consult-page" not in html
    assert "consult/consult.js" not in html
    assert "<h2" in html and "Our design" in html


def test_live_results_follow_results_visibility(single):
    page = single.page
    page.results_visibility = "after_close"
    page.save()
    services.cast_ballot(factories.make_user(), single, {"option": single.options.first().pk})
    html = render(LiveResultsBlock, {"question": single.pk, "heading": ""})
    assert "data-consult-tally hidden" in html
    assert [v.split("<", 1)[0] for v in html.split("data-votes>")[1:]] == ["0"] * 3
    assert "Results will be published when voting closes." in html

    api = LiveResultsBlock().get_api_representation(
        LiveResultsBlock().to_python({"question": single.pk, "heading": ""}),
        {"request": anonymous_request()},
    )
    assert api["results_visible"] is False and api["tally"] is None
    assert api["turnout"]["ballots"] == 1


def test_live_results_hide_a_draft_consultation(single):
    page = single.page
    page.unpublish()
    html = render(LiveResultsBlock, {"question": single.pk, "heading": ""})
    assert single.title not in html
    assert LiveResultsBlock().get_api_representation(
        LiveResultsBlock().to_python({"question": single.pk})
    ) == {"question": None}


def test_live_results_api_representation(single):
    services.cast_ballot(factories.make_user(), single, {"option": single.options.first().pk})
    block = LiveResultsBlock()
    api = block.get_api_representation(block.to_python({"question": single.pk, "heading": ""}))
    assert api["question"] == single.pk
    assert api["consultation"] == single.page_id
    assert api["heading"] == single.title
    assert api["results_visible"] is True
    assert api["tally"]["ballots"] == 1
    assert {entry["key"] for entry in api["tally"]["results"]} == {
        str(pk) for pk in single.options.values_list("pk", flat=True)
    }


def test_question_titles_are_escaped(db):
    page = factories.make_consultation(
        questions=[{"title": XSS, "method": "single", "options": [XSS, "B"]}]
    )
    question = factories.first_question(page)
    html = render(LiveResultsBlock, {"question": question.pk, "heading": ""})
    assert XSS not in html
    assert "&lt;script&gt;" in html


def test_question_chooser_lists_and_chooses_questions(admin_client, consultation):
    response = admin_client.get("/admin/consult_question_chooser/", {"q": "design"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Which design?" in html and "Car-free square?" not in html
    question = consultation.questions.get(title="Which design?")
    chosen = admin_client.get(f"/admin/consult_question_chooser/chosen/{question.pk}/")
    assert chosen.json()["result"]["title"] == f"{consultation.title} — Which design?"


# --------------------------------------------------------------------------
# Proposals.


@pytest.fixture
def proposals(consultation):
    author = factories.make_user(first_name="Dana")
    mobility = Category.objects.create(name="Mobility", slug="mobility")
    green = Category.objects.create(name="Green", slug="green")
    made = {}
    for title, status, supports, category, answered in [
        ("Bike lanes", "published", 5, mobility, True),
        ("More trees", "published", 12, green, False),
        ("Secret plan", "pending", 99, green, False),
        ("Rejected idea", "rejected", 50, mobility, False),
        (XSS, "published", 1, green, False),
    ]:
        made[title] = Proposal.objects.create(
            page=consultation,
            author=author,
            title=title,
            body=f"Body of {title}",
            status=status,
            supports=supports,
            category=category,
            answer="Yes" if answered else "",
            answered_at=timezone.now() if answered else None,
        )
    return made


def proposals_value(**overrides):
    return {
        "heading": "Ideas",
        "consultation": None,
        "status": "published",
        "category": "",
        "count": 5,
        "ordering": "newest",
        **overrides,
    }


def test_proposals_show_published_only_and_escape(consultation, proposals):
    html = render(ProposalsListBlock, proposals_value(), consultation)
    assert "Bike lanes" in html and "More trees" in html
    assert "Secret plan" not in html and "Rejected idea" not in html
    assert XSS not in html and "&lt;script&gt;" in html
    url = consultation.url + f"proposals/{proposals['Bike lanes'].pk}/"
    assert f'href="{url}"' in html
    assert f'href="{consultation.url}proposals/"' in html


def test_proposals_presets(consultation, proposals):
    by_supports = render(ProposalsListBlock, proposals_value(ordering="supports", count=2))
    assert by_supports.index("More trees") < by_supports.index("Bike lanes")
    assert XSS not in by_supports and "&lt;script" not in by_supports  # count=2

    green = render(ProposalsListBlock, proposals_value(category="green"), consultation)
    assert "More trees" in green and "Bike lanes" not in green

    answered = render(ProposalsListBlock, proposals_value(status="answered"), consultation)
    assert "Bike lanes" in answered and "More trees" not in answered

    other = factories.make_consultation()
    elsewhere = render(ProposalsListBlock, proposals_value(consultation=other.pk))
    assert "Bike lanes" not in elsewhere and "No proposals to show yet." in elsewhere


def test_proposals_category_choices_come_from_the_categories(proposals):
    block = ProposalsListBlock()
    choices = dict(block.child_blocks["category"].field.choices)
    assert choices["mobility"] == "Mobility" and "" in choices


def test_proposals_api_representation(consultation, proposals):
    block = ProposalsListBlock()
    value = block.to_python(proposals_value(consultation=consultation.pk, ordering="supports"))
    api = block.get_api_representation(value)
    assert [p["title"] for p in api["proposals"]] == ["More trees", "Bike lanes", XSS]
    assert api["proposals"][1]["answered"] is True
    assert api["proposals"][0]["category"] == "green"
    assert "author" not in api["proposals"][0]


# --------------------------------------------------------------------------
# Phase timeline and call to action.


def phased(**fields):
    now = timezone.now()
    defaults = {
        "proposals_open_at": now - timedelta(days=20),
        "proposals_close_at": now - timedelta(days=10),
        "voting_open_at": now - timedelta(days=1),
        "voting_close_at": now + timedelta(days=5),
    }
    return factories.make_consultation(**{**defaults, **fields})


def test_phase_steps_follow_the_dates(db):
    page = phased()
    steps = phase_steps(page)
    assert [(s.key, s.state) for s in steps] == [
        ("proposals", "done"),
        ("voting", "current"),
        ("results", "upcoming"),
    ]
    page.results_visibility = "hidden"
    assert [s.key for s in phase_steps(page)] == ["proposals", "voting"]
    page.proposals_open_at = page.proposals_close_at = None
    assert [s.key for s in phase_steps(page)] == ["voting"]


def test_timeline_marks_the_current_phase(db):
    page = phased()
    html = render(PhaseTimelineBlock, {"heading": "Steps", "consultation": None}, page)
    assert html.count('aria-current="step"') == 1
    current = re.search(r'<li[^>]*aria-current="step"[^>]*>(.*?)</li>', html, re.S).group(1)
    assert "Voting" in current and "in progress" in current
    assert "<time datetime=" in html
    assert "consult/consult.css" not in html  # on its consultation page

    api = PhaseTimelineBlock().get_api_representation(
        PhaseTimelineBlock().to_python({"heading": "", "consultation": page.pk})
    )
    assert [step["state"] for step in api["steps"]] == ["done", "current", "upcoming"]


def test_timeline_elsewhere_needs_a_consultation(db):
    assert "consult-timeline" not in render(
        PhaseTimelineBlock, {"heading": "Steps", "consultation": None}
    )


@pytest.mark.parametrize(
    ("fields", "action", "label"),
    [
        ({}, "vote", "Vote now"),
        (
            {
                "proposals_open_at": timezone.now() - timedelta(days=1),
                "proposals_close_at": timezone.now() + timedelta(days=1),
                "voting_open_at": timezone.now() + timedelta(days=3),
                "voting_close_at": timezone.now() + timedelta(days=9),
            },
            "propose",
            "Submit a proposal",
        ),
        (
            {
                "proposals_open_at": None,
                "proposals_close_at": None,
                "voting_open_at": timezone.now() + timedelta(days=3),
                "voting_close_at": timezone.now() + timedelta(days=9),
            },
            "learn",
            "Find out more",
        ),
        (
            {"voting_close_at": timezone.now() - timedelta(minutes=1)},
            "results",
            "See the results",
        ),
        (
            {
                "voting_close_at": timezone.now() - timedelta(minutes=1),
                "results_visibility": "hidden",
            },
            "learn",
            "Find out more",
        ),
    ],
    ids=["voting", "proposals", "upcoming", "closed", "closed-hidden"],
)
def test_call_to_action_follows_the_phase(db, fields, action, label):
    page = phased(**fields)
    html = render(CallToActionBlock, {"consultation": page.pk, "text": "Have your say"})
    assert f'data-consult-cta="{action}"' in html
    assert label in html
    api = CallToActionBlock().get_api_representation(
        CallToActionBlock().to_python({"consultation": page.pk, "text": ""})
    )
    assert (api["action"], api["label"]) == (action, label)
    if action == "propose":
        assert api["url"] == page.url + "proposals/new/"
    if action in ("vote", "results"):
        assert api["url"] == page.url + "#consult-questions-heading"


def test_call_to_action_hides_a_draft_consultation(db):
    page = phased()
    page.unpublish()
    html = render(CallToActionBlock, {"consultation": page.pk, "text": ""})
    assert "data-consult-cta" not in html


# --------------------------------------------------------------------------
# Key facts and documents.


@pytest.fixture
def document(db, tmp_path, settings):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    # Hosts serve documents (a `wagtail start` site does); the test project does not.
    settings.ROOT_URLCONF = "tests.blocks.test_blocks"
    doc = Document(title=f"Plan {XSS}")
    doc.file.save("plan.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc._set_document_file_metadata()  # as the upload form does
    doc.save()
    return doc


def test_key_facts_render_a_description_list_and_documents(document):
    value = {
        "heading": "Facts",
        "facts": [{"label": "Budget", "value": "€2 million"}, {"label": XSS, "value": "x"}],
        "documents": [document.pk],
    }
    html = render(KeyFactsBlock, value)
    assert "<dl" in html and "<dt>Budget</dt><dd>€2 million</dd>" in html
    assert XSS not in html
    assert f'href="{document.url}"' in html
    assert "PDF" in html and "bytes" in html

    block = KeyFactsBlock()
    api = block.get_api_representation(block.to_python(value))
    assert api["facts"][0] == {"label": "Budget", "value": "€2 million"}
    assert api["documents"][0]["id"] == document.pk
    assert api["documents"][0]["file_extension"] == "pdf"


# --------------------------------------------------------------------------
# In the page editor and on the page.


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def test_editor_saves_every_new_block_and_the_page_renders_them(admin_client, single, document):
    from tests.admin.test_page_form import current_questions, page_data

    page = single.page
    data = page_data(page, current_questions(page))
    body = nested_form_data(
        {
            "body": streamfield(
                [
                    ("live_results", {"question": single.pk, "heading": "Live"}),
                    ("proposals", proposals_value(count="3", consultation="")),
                    ("phase_timeline", {"heading": "Steps", "consultation": ""}),
                    ("call_to_action", {"consultation": "", "text": "Join in"}),
                    (
                        "key_facts",
                        {
                            "heading": "Facts",
                            "facts": streamfield([("item", {"label": "Area", "value": "1 ha"})]),
                            "documents": streamfield([("item", document.pk)]),
                        },
                    ),
                ]
            )
        }
    )
    data = {k: v for k, v in data.items() if not k.startswith("body-")}
    data.update(body)
    data["action-publish"] = "action-publish"
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors

    page = ConsultationPage.objects.get(pk=page.pk)
    assert [block.block_type for block in page.body] == list(NEW_BLOCKS)
    html = admin_client.get(page.url).content.decode()
    assert 'data-consult-cta="vote"' in html
    assert "consult-timeline" in html
    assert "Area" in html and document.url in html
