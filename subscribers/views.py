"""Public pages readers reach from their email."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import suppression
from .models import MailingList
from .tokens import UNSUBSCRIBE, BadToken, read_token


@csrf_exempt  # RFC 8058: mail providers POST `List-Unsubscribe=One-Click` with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page (link scanners must not unsubscribe); POST unsubscribes."""
    try:
        data = read_token(UNSUBSCRIBE, token)
        mailing_list = MailingList.objects.get(pk=data.list_id)
    except (BadToken, MailingList.DoesNotExist) as exc:
        message = str(exc) if isinstance(exc, BadToken) else "This list no longer exists."
        return render(request, "subscribers/bad_link.html", {"message": message}, status=400)
    context = {"mailing_list": mailing_list, "lang": mailing_list.language}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        suppression.unsubscribe(
            data.subscriber_id, data.list_id, how="one-click" if one_click else "unsubscribe page"
        )
        return render(request, "subscribers/unsubscribed.html", context)
    return render(request, "subscribers/unsubscribe.html", context)
