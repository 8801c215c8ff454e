"""Public pages readers reach from the site or from their email: plain HTML, no JavaScript.

Every page is in the list's language. Links from emails carry signed tokens; a GET never
changes anything (mail scanners follow links), a POST does.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import ratelimit, signup, suppression, tokens
from .addresses import InvalidAddress
from .clientaddr import client_address
from .forms import PreferencesForm, SubscribeForm
from .hooks import MailNotSent, section_choices
from .models import MailingList, Subscriber, Subscription


def bad_link(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "subscribers/bad_link.html", {"message": message}, status=400)


def _from_token(request: HttpRequest, purpose: str, token: str):
    """(subscriber, list) for a valid token, or the 400 page to answer with."""
    try:
        data = tokens.read_token(purpose, token)
        mailing_list = MailingList.objects.get(pk=data.list_id)
        subscriber = Subscriber.objects.get(pk=data.subscriber_id, erased_at__isnull=True)
    except tokens.BadToken as exc:
        return None, None, bad_link(request, str(exc))
    except (MailingList.DoesNotExist, Subscriber.DoesNotExist):
        return None, None, bad_link(request, "This link is no longer valid.")
    return subscriber, mailing_list, None


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    mailing_list = get_object_or_404(MailingList, slug=slug)
    language = mailing_list.language
    form = SubscribeForm(request.POST or None, language=language)
    context = {"mailing_list": mailing_list, "lang": language, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            return render(request, "subscribers/check_inbox.html", context)
        if not ratelimit.allow(
            f"subscribe:{client_address(request)}", settings.SUBSCRIBE_RATE_PER_HOUR
        ):
            return render(request, "subscribers/too_many.html", context, status=429)
        try:
            signup.subscribe(
                mailing_list,
                data["email"],
                name=data["name"],
                sections=data["sections"],
                how="subscribe form",
                ip=client_address(request),
            )
        except InvalidAddress as exc:
            form.add_error("email", str(exc))
        except MailNotSent as exc:  # the mail backend is down: say so; the request is kept
            context["send_error"] = str(exc)
            return render(request, "subscribers/check_inbox.html", context, status=503)
        else:
            return render(request, "subscribers/check_inbox.html", context)
    return render(request, "subscribers/subscribe.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (link scanners must not confirm)."""
    subscriber, mailing_list, error = _from_token(request, tokens.CONFIRM, token)
    if error:
        return error
    context = {"mailing_list": mailing_list, "lang": mailing_list.language}
    if request.method == "POST":
        signup.confirm(subscriber.pk, mailing_list.pk, ip=client_address(request))
        prefs = tokens.make_token(tokens.PREFERENCES, subscriber.pk, mailing_list.pk)
        context["preferences_url"] = f"/preferences/{prefs}/"
        return render(request, "subscribers/confirmed.html", context)
    return render(request, "subscribers/confirm.html", context)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber, mailing_list, error = _from_token(request, tokens.PREFERENCES, token)
    if error:
        return error
    subscription = Subscription.objects.filter(
        subscriber=subscriber, mailing_list=mailing_list
    ).first()
    active_lists = [
        str(pk)
        for pk in Subscription.objects.filter(
            subscriber=subscriber, status=Subscription.Status.CONFIRMED
        ).values_list("mailing_list_id", flat=True)
    ]
    initial = {
        "language": subscriber.language,
        "sections": subscription.sections if subscription else [],
        "lists": active_lists,
    }
    language = mailing_list.language
    form = PreferencesForm(request.POST or None, initial=initial, language=language)
    context = {
        "mailing_list": mailing_list,
        "lang": language,
        "form": form,
        "subscriber": subscriber,
        "all_sections": not (subscription and subscription.sections),
        "section_count": len(section_choices()),
    }
    if request.method == "POST" and form.is_valid():
        context["changes"] = signup.update_preferences(
            subscriber,
            mailing_list,
            sections=form.cleaned_data["sections"],
            language=form.cleaned_data["language"],
            lists=[int(pk) for pk in form.cleaned_data["lists"]],
            ip=client_address(request),
        )
        context["saved"] = True
    return render(request, "subscribers/preferences.html", context)


@csrf_exempt  # RFC 8058: mail providers POST `List-Unsubscribe=One-Click` with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page (link scanners must not unsubscribe); POST unsubscribes."""
    subscriber, mailing_list, error = _from_token(request, tokens.UNSUBSCRIBE, token)
    if error:
        return error
    context = {"mailing_list": mailing_list, "lang": mailing_list.language}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        suppression.unsubscribe(
            subscriber.pk,
            mailing_list.pk,
            how="one-click" if one_click else "unsubscribe page",
            ip=client_address(request),
        )
        return render(request, "subscribers/unsubscribed.html", context)
    return render(request, "subscribers/unsubscribe.html", context)
