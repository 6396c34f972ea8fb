"""The ballot forms' posts: each calls the ballot service.

With JavaScript off the form posts as it is and the view redirects back to
the question with a message. The page script posts the same form fields and
asks for JSON (``Accept: application/json``): it then gets the API's answer
shapes (201/200 with the ballot, or ``{"code", "detail"}``). Either way the
voting method turns the form into a ballot (``body_from_form``), so the
script knows nothing of any method's ballot.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consult.exceptions import ConsultError, InvalidBallot
from consult.models import Question
from consult.voting import services
from consult.voting.registry import get_method


def _question_for_form(question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("page").filter(page__live=True), pk=question_id
    )


def _back(question: Question):
    return redirect(f"{question.page.url}#question-{question.pk}")


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def _refused(request, question: Question, error: ConsultError):
    if _wants_json(request):
        response = JsonResponse(
            {"code": error.code, "detail": str(error.detail)}, status=error.status
        )
        if getattr(error, "wait", None) is not None:
            response["Retry-After"] = str(int(error.wait))
        return response
    messages.error(request, str(error.detail))
    return _back(question)


@require_POST
def vote(request, question_id: int):
    question = _question_for_form(question_id)
    body = get_method(question.method).body_from_form(request.POST, f"q{question.pk}-")
    try:
        if not body:
            raise InvalidBallot(_("Please make a choice before you vote."))
        result = services.cast_ballot(request, question, body)
    except ConsultError as error:
        return _refused(request, question, error)
    if _wants_json(request):
        shown = None if question.page.ballot_secrecy == "secret" else result.content
        return JsonResponse(
            {
                "question": question.pk,
                "method": question.method,
                "ballot": shown,
                "receipt": result.receipt,
            },
            status=201 if result.created else 200,
        )
    if result.created:
        messages.success(request, _("Thank you, your vote has been counted."))
    else:
        messages.success(request, _("Your vote has been changed."))
    return _back(question)


@require_POST
def retract(request, question_id: int):
    question = _question_for_form(question_id)
    try:
        services.retract_ballot(request, question)
    except ConsultError as error:
        return _refused(request, question, error)
    if _wants_json(request):
        return HttpResponse(status=204)
    messages.success(request, _("Your vote has been withdrawn."))
    return _back(question)
