"""Citizens' pages for follows and notifications, working with JavaScript off.

| URL (under ``consult.urls``)               | method    | does                                  |
| ------------------------------------------ | --------- | ------------------------------------- |
| ``follow/consultations/<id>/``             | POST      | ``action=follow|unfollow``, redirects |
| ``follow/proposals/<id>/``                 | POST      | the same for a proposal               |
| ``notifications/``                         | GET       | list, unread first marked, settings   |
| ``notifications/read/``                    | POST      | mark all read                         |
| ``notifications/preferences/``             | POST      | e-mail frequency and language         |
| ``notifications/unsubscribe/<token>/``     | GET, POST | confirm page; one-click (RFC 8058)    |

Writes go through ``consult.notifications``, which also counts them against
the ``follow`` rate, as for the API.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from consult import conf
from consult.contributions import queries as contribution_queries
from consult.exceptions import ConsultError
from consult.models.notifications import EmailFrequency
from consult.notifications import follows, preferences, queries, records
from consult.notifications.messages import Links, subject

PER_PAGE = 20


class PreferencesForm(forms.Form):
    email = forms.ChoiceField(
        label=gettext_lazy("E-mails about what you follow"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of e-mails"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(settings.LANGUAGES)


def _back(request, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}
    ):
        return wanted
    return fallback


def _toggle(request, target, fallback: str):
    back = _back(request, fallback)
    try:
        if request.POST.get("action") == "unfollow":
            follows.unfollow(request, target)
            messages.success(request, _("You no longer follow this."))
        else:
            follows.follow(request, target)
            preferences.remember_language(request)
            messages.success(request, _("You follow this now. We will tell you what happens."))
    except ConsultError as error:
        messages.error(request, str(error.detail))
    return redirect(back)


@require_POST
@login_required
def follow_consultation(request, page_id: int):
    page = contribution_queries.live_consultation(request, page_id)
    if page is None:
        raise Http404
    return _toggle(request, page, page.url or "/")


@require_POST
@login_required
def follow_proposal(request, proposal_id: int):
    proposal = contribution_queries.proposal_by_id(request, proposal_id)
    if proposal is None:
        raise Http404
    page = proposal.page
    fallback = (page.url or "/") + page.reverse_subpage(
        "proposal", kwargs={"proposal_id": proposal.pk}
    )
    return _toggle(request, proposal, fallback)


@login_required
def notifications(request):
    preferences.remember_language(request)
    stored = preferences.stored(request.user)
    paginator = Paginator(queries.for_user(request.user), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    links = Links()
    entries = [
        {"notification": n, "title": subject(n, links), "url": links.notification(n)}
        for n in page_obj
    ]
    return TemplateResponse(
        request,
        "consult/notifications/list.html",
        {
            "entries": entries,
            "page_obj": page_obj,
            "unread": queries.unread_count(request.user),
            "form": PreferencesForm(initial=preferences.as_dict(stored)),
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
    )


@require_POST
@login_required
def mark_read(request):
    try:
        records.mark_read(request)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    return redirect("consult:notifications")


@require_POST
@login_required
def update_preferences(request):
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose how often and in which language."))
        return redirect("consult:notifications")
    try:
        preferences.update(request, **form.cleaned_data)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your notification settings have been saved."))
    return redirect("consult:notifications")


@csrf_exempt  # RFC 8058: mail clients POST without a form; the signed token authorises
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user = preferences.user_for_token(token)
    if user is None:
        return TemplateResponse(
            request,
            "consult/notifications/unsubscribe.html",
            {"invalid": True, "consult_base_template": conf.get("BASE_TEMPLATE")},
            status=404,
        )
    done = request.method == "POST"
    if done:
        preferences.unsubscribe(user)
    return TemplateResponse(
        request,
        "consult/notifications/unsubscribe.html",
        {"done": done, "consult_base_template": conf.get("BASE_TEMPLATE")},
    )
