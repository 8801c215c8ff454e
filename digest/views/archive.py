"""The public archive: a list's past editions, and each as a web page (no login)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from subscribers.models import MailingList

from .. import archive


@require_GET
def index(request, slug: str):
    mailing_list = get_object_or_404(MailingList, slug=slug)
    editions = archive.archived_editions(mailing_list)[:400]
    return render(
        request,
        "archive/index.html",
        {"mailing_list": mailing_list, "editions": editions, "lang": mailing_list.language},
    )


@require_GET
def edition(request, slug: str, day: str):
    mailing_list = get_object_or_404(MailingList, slug=slug)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("not a date") from None
    found = archive.archived_editions(mailing_list).filter(date=date).first()
    if found is None:
        raise Http404("no such edition in the archive")
    response = HttpResponse(archive.archived_page(found))
    response["Cache-Control"] = "public, max-age=300"
    return response
