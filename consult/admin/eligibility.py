"""Wagtail admin for eligibility: censuses (upload with preview, streamed
import, releasing a claim) and voting-code batches (letters, revocation).

The views translate forms to ``consult.eligibility.census`` / ``codes`` and
back; releases and revocations are written to Wagtail's audit log.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import secrets
import tempfile
from pathlib import Path

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.log_actions import log

from consult.eligibility import census, codes
from consult.models import Census, CensusEntry, ConsultationPage, VotingCodeBatch

#: Where uploads wait between the preview and the import (the token is in the session).
UPLOAD_DIR = Path(tempfile.gettempdir()) / "consult-census-uploads"
SESSION_KEY = "consult_census_upload"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


class CensusForm(forms.ModelForm):
    class Meta:
        model = Census
        fields = ["name", "description"]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    delimiter = forms.ChoiceField(
        label=gettext_lazy("Columns separated by"),
        choices=[(",", ","), (";", ";"), ("\t", gettext_lazy("tab"))],
    )


class MappingForm(forms.Form):
    identifier = forms.ChoiceField(label=gettext_lazy("Identifier column"))
    birth_date = forms.ChoiceField(label=gettext_lazy("Birth date column"))
    postcode = forms.ChoiceField(label=gettext_lazy("Postcode column"), required=False)
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the census"),
        required=False,
        help_text=gettext_lazy("People not in this file lose their entry (and their claim)."),
    )

    def __init__(self, header: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in header]
        self.fields["identifier"].choices = choices
        self.fields["birth_date"].choices = choices
        self.fields["postcode"].choices = [("", "—"), *choices]
        for field, hints in (
            ("identifier", ("id", "nr", "number", "ident")),
            ("birth_date", ("birth", "born", "geb", "date")),
            ("postcode", ("post", "zip", "plz")),
        ):
            guess = next((n for n in header if any(h in n.lower() for h in hints)), None)
            if guess:
                self.fields[field].initial = guess

    def columns(self) -> census.Columns:
        data = self.cleaned_data
        return census.Columns(data["identifier"], data["birth_date"], data["postcode"] or None)


def _upload_path(token: str) -> Path:
    return UPLOAD_DIR / f"{token}.csv"


def _open_upload(request, record: Census) -> tuple[dict, io.TextIOWrapper] | None:
    """The file uploaded for ``record`` in this session, opened; None when
    there is none (expired, or uploaded for another census)."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored["census"] != record.pk:
        return None
    path = _upload_path(stored["token"])
    if not path.exists():
        return None
    return stored, open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115


def _upload_again(request, record: Census):
    messages.error(request, _("Upload the file again, please."))
    return redirect("consult_census_upload", record.pk)


def census_index(request):
    _require(request, "consult.change_census")
    form = CensusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        return redirect("consult_census_upload", record.pk)
    return TemplateResponse(
        request,
        "consult/admin/census_index.html",
        {"censuses": Census.objects.all(), "form": form, "claims": _claims(request)},
    )


def _claims(request):
    """The census entries held by the account searched for, to release one."""
    query = request.GET.get("account", "").strip()
    if not query:
        return None
    User = get_user_model()  # noqa: N806
    users = User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": query}) | User.objects.filter(
        email__iexact=query
    )
    return {
        "query": query,
        "entries": CensusEntry.objects.filter(claimed_by__in=users).select_related(
            "census", "claimed_by"
        ),
    }


def census_upload(request, census_id: int):
    _require(request, "consult.change_census")
    record = get_object_or_404(Census, pk=census_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
        token = secrets.token_urlsafe(16)
        with open(_upload_path(token), "wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        request.session[SESSION_KEY] = {
            "token": token,
            "census": record.pk,
            "delimiter": form.cleaned_data["delimiter"],
        }
        return redirect("consult_census_preview", record.pk)
    return TemplateResponse(
        request, "consult/admin/census_upload.html", {"census": record, "form": form}
    )


def census_preview(request, census_id: int):
    """The column mapping, the first rows as they will be read, and the rejected rows."""
    _require(request, "consult.change_census")
    record = get_object_or_404(Census, pk=census_id)
    opened = _open_upload(request, record)
    if opened is None:
        return _upload_again(request, record)
    stored, stream = opened
    with stream:
        try:
            header = next(csv.reader(stream, delimiter=stored["delimiter"]))
        except (StopIteration, UnicodeDecodeError, csv.Error):
            header = []
        if len(header) < 2:
            messages.error(request, _("This file has no header row with at least two columns."))
            return redirect("consult_census_upload", record.pk)
        form = MappingForm(header, request.GET or None)
        rows, report = [], None
        if form.is_valid():
            stream.seek(0)
            try:
                rows, report = census.preview(stream, form.columns(), delimiter=stored["delimiter"])
            except (UnicodeDecodeError, csv.Error) as error:
                messages.error(request, str(error))
    return TemplateResponse(
        request,
        "consult/admin/census_preview.html",
        {"census": record, "form": form, "rows": rows, "report": report},
    )


@require_POST
def census_import(request, census_id: int):
    """Runs the import, streaming its progress into the page as it goes."""
    _require(request, "consult.change_census")
    record = get_object_or_404(Census, pk=census_id)
    opened = _open_upload(request, record)
    if opened is None:
        return _upload_again(request, record)
    stored, stream = opened
    with stream:
        header = next(csv.reader(stream, delimiter=stored["delimiter"]), [])
    form = MappingForm(header, request.POST)
    if not form.is_valid():
        stream.close()
        return redirect("consult_census_preview", record.pk)
    del request.session[SESSION_KEY]
    columns, replace = form.columns(), form.cleaned_data["replace"]
    path = _upload_path(stored["token"])
    index_url = reverse("consult_census_index")

    def progress():
        yield render_to_string(
            "consult/admin/census_importing.html", {"census": record}, request=request
        )
        try:
            with open(path, encoding="utf-8-sig", newline="") as source:
                for report in census.importing(
                    record, source, columns, replace=replace, delimiter=stored["delimiter"]
                ):
                    yield format_html(
                        "<li>{}</li>\n",
                        _("%(read)s rows read, %(rejected)s rejected")
                        % {"read": report.read, "rejected": report.rejected},
                    )
            yield format_html(
                '</ol><p role="status">{}</p><p><a class="button" href="{}">{}</a></p>',
                _("Done: %(entries)s entries.") % {"entries": report.entries},
                index_url,
                _("Back to the censuses"),
            )
        except Exception as error:  # noqa: BLE001 (reported in the page; the census says failed)
            yield format_html('</ol><p role="alert">{}</p>', str(error))
        finally:
            os.unlink(path)
        yield "</div></main></body></html>"

    return StreamingHttpResponse(progress(), content_type="text/html; charset=utf-8")


@require_POST
def census_release(request, entry_id: int):
    """Free a claimed entry for another account; recorded in Wagtail's log."""
    _require(request, "consult.change_census")
    entry = get_object_or_404(CensusEntry.objects.select_related("census"), pk=entry_id)
    held_by = entry.claimed_by_id
    census.release(entry)
    log(
        instance=entry.census,
        action="consult.census_release",
        user=request.user,
        data={"entry": entry.pk, "account": held_by},
    )
    messages.success(request, _("The entry is free to be claimed again."))
    return redirect("consult_census_index")


# ----------------------------------------------------------------- voting codes


class CodesForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the batch"), max_length=255)
    count = forms.IntegerField(label=gettext_lazy("Number of codes"), min_value=1, max_value=50000)


def page_codes(request, page_id: int):
    _require(request, "consult.add_votingcodebatch")
    page = get_object_or_404(ConsultationPage, pk=page_id)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        generated = codes.generate(
            page,
            form.cleaned_data["count"],
            name=form.cleaned_data["name"],
            created_by=request.user,
        )
        log(
            instance=page,
            action="consult.codes_generate",
            user=request.user,
            data={"batch": generated.batch.pk, "count": len(generated.codes)},
        )
        return letters(request, page, generated)
    return TemplateResponse(
        request,
        "consult/admin/voting_codes.html",
        {
            "page": page,
            "form": form,
            "batches": VotingCodeBatch.objects.filter(page=page),
        },
    )


def letters(request, page: ConsultationPage, generated: codes.GeneratedBatch):
    """One printable letter per code, shown once, with the codes as CSV too."""
    login_url = request.build_absolute_uri(reverse("consult:code-login", args=[page.pk]))
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(["batch", "code"])
    for code in generated.codes:
        writer.writerow([generated.batch.pk, code])
    csv_data = base64.b64encode(sheet.getvalue().encode()).decode()
    return TemplateResponse(
        request,
        "consult/admin/voting_code_letters.html",
        {
            "page": page,
            "batch": generated.batch,
            "login_url": login_url,
            "csv_href": f"data:text/csv;base64,{csv_data}",
            "letters": [
                {"code": code, "qr": segno.make(f"{login_url}?code={code}").svg_inline(scale=3)}
                for code in generated.codes
            ],
        },
    )


@require_POST
def revoke_batch(request, batch_id: int):
    _require(request, "consult.add_votingcodebatch")
    batch = get_object_or_404(VotingCodeBatch, pk=batch_id)
    codes.revoke(batch)
    log(
        instance=ConsultationPage.objects.get(pk=batch.page_id),
        action="consult.codes_revoke",
        user=request.user,
        data={"batch": batch.pk},
    )
    messages.success(request, _("The batch is revoked: its codes no longer work."))
    return redirect("consult_page_codes", batch.page_id)
