"""Comment form posts of a consultation's discussion: post, edit, delete, report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from consult import conf, permissions
from consult.contributions import services
from consult.contributions.forms import (
    CommentEditForm,
    CommentForm,
)
from consult.exceptions import ConsultError
from consult.models import Comment, ConsultationPage
from consult.models.comments import Stance
from consult.views.common import Links, keep_draft, next_url, render, report


def _comment_or_404(request, page: ConsultationPage, comment_id) -> Comment:
    comment = (
        Comment.objects.filter(page=page, pk=int(comment_id))
        .select_related("page", "author")
        .first()
    )
    if comment is None or not permissions.can_see_comment(request.user, comment):
        raise Http404
    return comment


def _comment_target(page: ConsultationPage, comment: Comment) -> str:
    links = Links(page)
    base = links.proposal(comment.proposal_id) if comment.proposal_id else links.base
    return f"{base}#comment-{comment.pk}"


def comment_create(request, page: ConsultationPage):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CommentForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    proposal_id = data.get("proposal")
    fallback = Links(page).proposal(proposal_id) if proposal_id else Links(page).base
    target = next_url(request, page, fallback)
    draft = {
        "body": request.POST.get("body", "")[: int(conf.get("COMMENT_MAX_LENGTH"))],
        "proposal": proposal_id,
        "parent": data.get("parent"),
    }
    if not valid:
        messages.error(request, _("Please write your comment before you send it."))
        return redirect(f"{target}#comments")
    try:
        comment = services.post_comment(
            request,
            page,
            body=data["body"],
            stance=data.get("stance") or Stance.NEUTRAL,
            parent=data.get("parent"),
            proposal=proposal_id,
        )
    except ConsultError as error:
        messages.error(request, str(error.detail))
        keep_draft(request, draft)
        return redirect(f"{target}#comments")
    if comment.status == "pending":
        messages.success(
            request, _("Thank you! Your comment will appear once a moderator has checked it.")
        )
    else:
        messages.success(request, _("Thank you! Your comment is published."))
    return redirect(f"{target}#comment-{comment.pk}")


def comment_edit(request, page: ConsultationPage, comment_id):
    comment = _comment_or_404(request, page, comment_id)
    refusal = permissions.comment_edit_refusal(request.user, comment)
    form = CommentEditForm(initial={"body": comment.body, "stance": comment.stance})
    status = 200 if refusal is None else refusal.status
    if request.method == "POST" and refusal is None:
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_comment(
                    request,
                    comment,
                    body=form.cleaned_data["body"],
                    stance=form.cleaned_data.get("stance") or Stance.NEUTRAL,
                )
            except ConsultError as error:
                refusal, status = error, error.status
            else:
                messages.success(request, _("Your comment has been changed."))
                return redirect(_comment_target(page, comment))
        else:
            status = 400
    elif request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    return render(
        request,
        page,
        "consult/comments/edit.html",
        {
            "comment": comment,
            "form": form,
            "refusal": refusal,
            "stances": Stance.choices,
            "max_length": int(conf.get("COMMENT_MAX_LENGTH")),
            "back_url": _comment_target(page, comment),
            "deadline": permissions.comment_edit_deadline(comment),
        },
        status=status,
    )


def comment_delete(request, page: ConsultationPage, comment_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = _comment_or_404(request, page, comment_id)
    target = _comment_target(page, comment)
    try:
        services.delete_comment(request, comment)
    except ConsultError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your comment has been removed."))
    return redirect(target)


def comment_report(request, page: ConsultationPage, comment_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    comment = _comment_or_404(request, page, comment_id)
    return report(request, page, comment, _comment_target(page, comment))
