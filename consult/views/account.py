"""A citizen's pages for their personal data: download it, delete the account."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult import conf
from consult.personal_data import services


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, delete my account for good."), required=True
    )


@login_required
def my_data(request):
    body = json.dumps(services.export(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-consultation-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request):
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_account(request.user)
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("/")
    return TemplateResponse(
        request,
        "consult/account/delete.html",
        {
            "form": form,
            "removes_content": conf.get("ON_ACCOUNT_DELETE") == services.DELETE,
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
    )
