"""The editors' desk: thin views over ``digest.desk``. Every change is a POST that redirects
back (works without JavaScript); the page's preview iframe then shows the change."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from subscribers.models import MailingList

from .. import health, stats
from ..desk import checks, edits, proofs
from ..desk.access import editor_required
from ..models import UNDECIDED, Edition, EditionItem, Section
from ..render import RenderError

WIDTHS = {"desktop": 600, "phone": 375}


def _view_options(params) -> dict:
    """The preview's state (width, dark, the variant's sections) from a query or a form."""
    width = params.get("w") if params.get("w") in WIDTHS else "desktop"
    return {
        "w": width,
        "dark": params.get("dark") == "1",
        "sections": [s for s in params.getlist("sections")[:20] if len(s) <= 40],
    }


def _query(options: dict) -> str:
    pairs = [("w", options["w"])] + [("sections", s) for s in options["sections"]]
    if options["dark"]:
        pairs.append(("dark", "1"))
    return urlencode(pairs)


def _back(request, edition: Edition):
    url = reverse("desk:edition", args=[edition.pk])
    return redirect(f"{url}?{_query(_view_options(request.POST))}")


@require_GET
@editor_required
def editions(request):
    lists = MailingList.objects.all()
    rows = Edition.objects.select_related("mailing_list", "approved_by").annotate(
        n_items=Count("items", distinct=True),
        n_recipients=Count("deliveries", filter=~Q(deliveries__state="skipped"), distinct=True),
        n_sent=Count("deliveries", filter=Q(deliveries__state="sent"), distinct=True),
        n_undecided=Count("deliveries", filter=Q(deliveries__state__in=UNDECIDED), distinct=True),
    )
    chosen = request.GET.get("list", "")
    if chosen:
        rows = rows.filter(mailing_list__slug=chosen)
    return render(
        request,
        "desk/editions.html",
        {
            "editions": rows.order_by("-date", "mailing_list__name")[:100],
            "lists": lists,
            "chosen": chosen,
            "scheduler": health.scheduler_state(),
        },
    )


@require_GET
@editor_required
def edition(request, pk: int):
    edition = get_object_or_404(
        Edition.objects.select_related("mailing_list", "approved_by"), pk=pk
    )
    options = _view_options(request.GET)
    sections = list(Section.objects.all())
    language = edition.mailing_list.language
    items = list(edition.items.select_related("section", "article__section_runner_up"))
    for item in items:
        item.uncertain = checks.uncertain_section(item)
        item.suggested_move = checks.suggested_move(item, sections)
    grouped = [
        (section, section.name_for(language), [i for i in items if i.section_id == section.pk])
        for section in sections
    ]
    try:
        warnings = checks.warnings_for(edition, proofs.preview_html(edition))
        render_error = ""
    except RenderError as exc:
        warnings, render_error = [], str(exc)
    present = [s for s, _, its in grouped if its]
    return render(
        request,
        "desk/edition.html",
        {
            "edition": edition,
            "grouped": grouped,
            "sections": sections,
            "variant_sections": [(s.key, s.name_for(language)) for s in present],
            "options": options,
            "query": _query(options),
            "width": WIDTHS[options["w"]],
            "warnings": warnings,
            "render_error": render_error,
            "editable": edition.status in edits.EDITABLE and not edition.enqueued_at,
            "log": edition.edit_log.select_related("user")[:30],
        },
    )


@require_GET
@editor_required
@xframe_options_sameorigin
def edition_preview(request, pk: int):
    edition = get_object_or_404(Edition, pk=pk)
    options = _view_options(request.GET)
    try:
        html = proofs.preview_html(edition, options["sections"], dark=options["dark"])
    except RenderError as exc:
        return HttpResponse(f"<p>Cannot render: {exc}</p>", status=500)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@editor_required
def item_action(request, pk: int, item_id: int):
    item = get_object_or_404(EditionItem.objects.select_related("edition"), pk=item_id, edition=pk)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "save":
            edits.edit_item(
                item,
                user,
                headline=request.POST.get("headline", ""),
                summary=request.POST.get("summary", ""),
            )
            messages.success(request, "Saved.")
        elif action == "move":
            section = get_object_or_404(Section, key=request.POST.get("section", ""))
            edits.move_item(item, user, section)
            messages.success(request, f"Moved to {section.name_en}.")
        elif action in ("up", "down"):
            edits.reorder(item, user, action)
        elif action == "drop":
            edits.drop(item, user)
            messages.success(request, "Dropped.")
        else:
            messages.error(request, "Unknown action.")
    except edits.EditError as exc:
        messages.error(request, str(exc))
    return _back(request, item.edition)


@require_POST
@editor_required
def edition_action(request, pk: int, action: str):
    edition = get_object_or_404(Edition.objects.select_related("mailing_list"), pk=pk)
    user, post = request.user, request.POST
    try:
        if action == "meta":
            edits.edit_meta(
                edition, user, subject=post.get("subject", ""), preheader=post.get("preheader", "")
            )
            messages.success(request, "Subject and preheader saved.")
        elif action == "note":
            edits.edit_note(edition, user, note=post.get("note", ""))
            messages.success(request, "Editor's note saved.")
        elif action == "add":
            section = get_object_or_404(Section, key=post.get("section", ""))
            edits.add_manual_item(
                edition,
                user,
                section=section,
                title=post.get("title", ""),
                link=post.get("link", ""),
                text=post.get("text", ""),
            )
            messages.success(request, "Item added.")
        elif action == "test":
            to = proofs.send_test(edition, user, _view_options(post)["sections"])
            messages.success(request, f"Test sent to {to}.")
        elif action == "approve":
            edits.approve(edition, user)
            messages.success(request, "Approved.")
        elif action == "unapprove":
            edits.unapprove(edition, user)
            messages.success(request, "Unapproved: back to draft.")
        elif action == "cancel":
            edits.cancel(edition, user)
            messages.success(request, "Cancelled: it will not be sent.")
        else:
            messages.error(request, "Unknown action.")
    except (edits.EditError, proofs.TestNotSent) as exc:
        messages.error(request, str(exc))
    return _back(request, edition)


@require_GET
@editor_required
def list_stats(request, slug: str):
    mailing_list = get_object_or_404(MailingList, slug=slug)
    rows = stats.history(mailing_list, 30)
    return render(
        request,
        "desk/stats.html",
        {
            "mailing_list": mailing_list,
            "rows": rows,
            "columns": stats.COLUMNS,
            "chart": stats.chart_svg(rows) if rows else "",
        },
    )
