"""A citizen's page for creating and revoking personal API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consult import conf
from consult.models import ApiToken
from consult.models.tokens import TokenScope

MAX_TOKENS_PER_USER = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “my neighbourhood app”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        if ApiToken.objects.filter(user=request.user).count() >= MAX_TOKENS_PER_USER:
            form.add_error(None, _("You have too many tokens. Revoke one you no longer use."))
        else:
            _token, new_key = ApiToken.issue(
                request.user, form.cleaned_data["name"], form.cleaned_data["scope"]
            )
            form = TokenForm()
    return TemplateResponse(
        request,
        "consult/account/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
        status=201 if new_key else 200,
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("consult:tokens")
