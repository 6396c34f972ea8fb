"""The "Check your receipt" page: a voter pastes their receipt and sees
whether the ballot it stands for is counted. A plain GET form, so it works
with JavaScript off and its answer can be printed or bookmarked."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from consult import conf
from consult.ledger import receipts


@never_cache
def check_receipt(request):
    text = request.GET.get("receipt", "")[:200]
    status = receipts.status(text) if text.strip() else None
    response = TemplateResponse(
        request,
        "consult/receipt.html",
        {
            "receipt": text,
            "checked": bool(text.strip()),
            "status": status,
            "consult_base_template": conf.get("BASE_TEMPLATE"),
        },
        status=404 if text.strip() and status is None else 200,
    )
    # The receipt is in the address: do not hand it to other sites.
    response["Referrer-Policy"] = "no-referrer"
    return response
