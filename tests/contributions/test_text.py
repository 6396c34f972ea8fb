"""Citizens' text is stored as typed and always comes out inert: escaped in
the pages, in the API's JSON (and its HTML rendering) and in the admin."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from consult.contributions import services
from consult.contributions.text import clean_text
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></sCrIpT>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<svg><script>alert(1)</script></svg>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    "<a href='jav&#x09;ascript:alert(1)'>tab</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "</textarea><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'; alert(1); //",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u202e<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "www.example.org/<script>alert(1)</script>",
    'http://example.org/?q="><script>alert(1)</script>',
    'https://example.org/" onmouseover="alert(1)',
    "<!--<script>alert(1)//-->",
    "{{ 7|add:42 }} {% now 'Y' %}",
    "<details open ontoggle=alert(1)>",
]


class Inspector(HTMLParser):
    """Collects what a browser would make of the HTML: elements and attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def assert_inert(markup: str, *, allowed_scripts=("/static/",)) -> None:
    inspector = Inspector()
    inspector.feed(markup)
    for tag, attrs in inspector.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> carries event handlers {handlers}"
        for name in ("href", "src", "action", "formaction", "xlink:href", "data"):
            value = "".join(
                ch for ch in attrs.get(name, "") if ch.isprintable() and not ch.isspace()
            )
            assert not value.lower().startswith(("javascript:", "vbscript:")), (tag, attrs)
            if tag != "link":  # a site's empty favicon (href="data:,") is fine
                assert not value.lower().startswith("data:"), (tag, attrs)
        assert tag not in ("iframe", "svg", "math", "img", "object", "embed"), (tag, attrs)
        if tag == "script":
            src = attrs.get("src", "")
            assert src.startswith(allowed_scripts), f"unexpected <script {attrs}>"
        if tag == "a":
            assert "style" not in attrs
    assert "alert(1)" not in "".join(inspector.script_text)
    assert "<script>alert" not in markup.lower()


@pytest.fixture
def page(db):
    return factories.make_proposal_consultation(moderation="post")


@pytest.fixture
def seeded(page, citizen):
    """Every payload as a proposal (title and body) and as a comment body."""
    proposals = []
    for payload in PAYLOADS:
        title = payload.replace("\n", " ")[:200]
        proposal = services.submit_proposal(citizen, page, title=title, body=payload)
        proposals.append(proposal)
        services.post_comment(citizen, page, body=payload)
        services.post_comment(citizen, page, body=payload, proposal=proposal)
    return proposals


@pytest.fixture(autouse=True)
def _no_limits(settings):
    off = dict.fromkeys(("proposal", "comment", "report", "support"))
    settings.CONSULT = {"THROTTLE_RATES": off, "THROTTLE_IP_RATES": off}


def test_stored_as_typed(seeded):
    assert seeded[0].body == "<script>alert(1)</script>"
    assert seeded[0].title == "<script>alert(1)</script>"


def test_pages_render_payloads_inert(page, seeded, citizen):
    client = Client()
    client.force_login(citizen)
    urls = [page.url, f"{page.url}proposals/", f"{page.url}proposals/?page=2"]
    urls += [f"{page.url}proposals/{proposal.pk}/" for proposal in seeded]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        markup = response.content.decode()
        assert_inert(markup)
    detail = client.get(f"{page.url}proposals/{seeded[0].pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "{{ 7|add:42 }}" in client.get(f"{page.url}proposals/{seeded[-2].pk}/").content.decode()


def test_edit_form_keeps_payload_inside_the_textarea(page, citizen):
    comment = services.post_comment(citizen, page, body="</textarea><script>alert(1)</script>")
    client = Client()
    client.force_login(citizen)
    markup = client.get(f"{page.url}comments/{comment.pk}/edit/").content.decode()
    assert_inert(markup)
    assert "&lt;/textarea&gt;&lt;script&gt;" in markup


def test_links_are_only_http(page, citizen):
    comment = services.post_comment(
        citizen, page, body="see https://example.org/a?b=1&c=2 and javascript:alert(1)"
    )
    markup = Client().get(page.url).content.decode()
    assert_inert(markup)
    assert 'href="https://example.org/a?b=1&amp;c=2"' in markup
    assert 'rel="nofollow ugc noopener noreferrer"' in markup
    assert comment.pk


def test_api_returns_payloads_inert(page, seeded):
    client = Client()
    responses = [
        client.get(f"/consult/api/v1/consultations/{page.pk}/proposals/?page_size=100"),
        client.get(f"/consult/api/v1/consultations/{page.pk}/comments/?page_size=100"),
        client.get(f"/consult/api/v1/proposals/{seeded[0].pk}/"),
    ]
    for response in responses:
        assert response.status_code == 200
        raw = response.content
        for needle in (b"<script", b"<svg", b"<img", b"<iframe", b'onerror="', b"</"):
            assert needle not in raw.lower()
        body = response.json()
        items = body["results"] if "results" in body else [body]
        for item in items:
            assert_inert(item["body_html"])
            if "answer_html" in item:
                assert_inert(item["answer_html"])
    texts = {item["body"] for item in responses[1].json()["results"]}
    assert {clean_text(p, field="body", max_length=10000) for p in PAYLOADS} <= texts


def test_admin_queue_shows_payloads_escaped(page, seeded):
    moderator = factories.make_moderator()
    client = Client()
    client.force_login(moderator)
    for url in (
        "/admin/consult/proposals/",
        "/admin/consult/comments/",
        f"/admin/consult/proposals/edit/{seeded[0].pk}/",
        f"/admin/consult/proposals/inspect/{seeded[0].pk}/",
        f"/admin/bulk/consult/proposal/approve/?id={seeded[0].pk}&id={seeded[2].pk}",
    ):
        markup = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in markup, url
        assert "<img src=x onerror" not in markup, url
        assert "<svg onload" not in markup, url
