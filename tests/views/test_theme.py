"""The default theme's server-rendered parts: hero image, consultation cards
with dates, status and participation, the QR code and the copy-link box,
the countdown while voting is open."""

from __future__ import annotations

from django.test import Client
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from consult.voting import services
from tests import factories


def test_cards_show_dates_status_and_how_many_voted(db):
    index = factories.make_index()
    page = factories.make_consultation(index=index, title="Market square")
    question = page.questions.get()
    for _ in range(3):
        services.cast_ballot(factories.make_user(), question, {"choice": "yes"})
    html = Client().get(index.url).content.decode()
    card = html.split('class="consult-card"')[1].split("</li>")[0]
    assert "Market square" in card
    assert "consult-status--voting" in card and "Voting open" in card
    assert f'datetime="{page.voting_open_at:%Y-%m-%d}' in card
    assert "3 people have voted" in card


def test_hero_image_on_the_page_and_its_card(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # renditions stay out of the work tree
    image = Image.objects.create(title="Square", file=get_test_image_file(size=(1200, 600)))
    index = factories.make_index()
    page = factories.make_consultation(index=index, image=image)
    html = Client().get(page.url).content.decode()
    assert '<figure class="consult-hero"><img' in html
    assert 'property="og:image"' in html
    assert 'class="consult-card__image"' in Client().get(index.url).content.decode()


def test_share_box_has_a_server_side_qr_code_and_a_copy_link(db):
    page = factories.make_consultation()
    html = Client().get(page.url).content.decode()
    assert '<svg viewBox="0 0 ' in html and 'class="consult-qr"' in html
    assert 'data-consult-copy="http://' in html
    # While voting is open and has a close, the time left is shown.
    assert "Time left to vote:" in html and "data-consult-countdown" in html
