"""Admin for lists, readers and their subscriptions.

Everything that touches consent (unsubscribe, block, unblock, confirmation emails, erasure,
imports) goes through ``suppression``, ``signup``, ``privacy`` and ``importer``, the paths
that write the consent log; the forms here only show it. ``digest.admin`` extends the
subscriber page with each reader's deliveries.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import ngettext

from . import privacy, signup, suppression
from .hooks import MailNotSent, section_choices
from .importer import COLUMNS, ImportFileError, csv_lines, import_csv
from .models import ConsentEvent, MailingList, Subscriber, Subscription

ACTION_TEMPLATE = "admin/subscribers/subscriber/action_form.html"
IMPORT_TEMPLATE = "admin/subscribers/mailinglist/import.html"
SHOWN_IN_REPORT = 1000  # rejected rows rendered on the import page


def admin_how(request) -> str:
    """How an admin's action is recorded in the consent log."""
    return f"admin {request.user.get_username()}"


# --- lists -------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"Header row required; columns {', '.join(COLUMNS)} (only email is required). "
            "UTF-8 or CP949/EUC-KR."
        ),
    )
    dry_run = forms.BooleanField(
        label="Dry run (report what would happen, store nothing)", required=False, initial=True
    )


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "language",
        "send_time",
        "summary_length",
        "confirmed",
        "pending",
        "left",
    ]
    list_filter = ["language", "summary_length"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["export_csv"]

    def get_queryset(self, request):
        status = Subscription.Status
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed=Count("subscriptions", filter=Q(subscriptions__status=status.CONFIRMED)),
                pending=Count("subscriptions", filter=Q(subscriptions__status=status.PENDING)),
                left=Count("subscriptions", filter=Q(subscriptions__status=status.UNSUBSCRIBED)),
            )
        )

    @admin.display(ordering="confirmed")
    def confirmed(self, obj):
        return obj.confirmed

    @admin.display(ordering="pending")
    def pending(self, obj):
        return obj.pending

    @admin.display(ordering="left", description="unsubscribed")
    def left(self, obj):
        return obj.left

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{prefix}_export",
            ),
            *super().get_urls(),
        ]

    def _list_or_404(self, request, object_id) -> MailingList:
        mailing_list = self.get_object(request, unquote(object_id))
        if mailing_list is None:
            raise Http404(f"no mailing list with the id {object_id!r}")
        return mailing_list

    def import_view(self, request, object_id):
        """Upload a CSV; show the report (counts, then every skipped and rejected row)."""
        mailing_list = self._list_or_404(request, object_id)
        if not self.has_change_permission(request, mailing_list):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_csv(
                    upload,
                    mailing_list,
                    user=request.user.get_username(),
                    dry_run=form.cleaned_data["dry_run"],
                    filename=upload.name,
                    keep=SHOWN_IN_REPORT,
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": mailing_list,
            "title": f"Import subscribers into {mailing_list}",
            "form": form,
            "report": report,
            "sections": ", ".join(c.key for c in section_choices()),
            "has_view_permission": self.has_view_permission(request, mailing_list),
        }
        return TemplateResponse(request, IMPORT_TEMPLATE, context)

    def export_view(self, request, object_id):
        mailing_list = self._list_or_404(request, object_id)
        if not self.has_view_permission(request, mailing_list):
            raise PermissionDenied
        return _csv_response([mailing_list], f"{mailing_list.slug}-subscribers")

    @admin.action(description="Export subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        lists = list(queryset.order_by("slug"))
        name = lists[0].slug if len(lists) == 1 else "subscribers"
        return _csv_response(lists, f"{name}-subscribers" if len(lists) == 1 else name)


def _csv_response(lists: list[MailingList], name: str) -> StreamingHttpResponse:
    # A BOM first, so that spreadsheet programs read the Korean names as UTF-8.
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], csv_lines(lists)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{dt.date.today()}.csv"'
    return response


# --- readers -----------------------------------------------------------------------------


class SubscriptionInline(admin.TabularInline):
    """Read-only: subscriptions change through the reader, an import or the actions."""

    model = Subscription
    fields = [
        "mailing_list",
        "status",
        "sections",
        "source",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mailing_list")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentEventInline(admin.TabularInline):
    """The consent log, newest first; never edited."""

    model = ConsentEvent
    fields = ["at", "kind", "mailing_list", "how", "ip", "detail"]
    readonly_fields = fields
    ordering = ["-at", "-id"]
    extra = 0
    can_delete = False
    verbose_name = "consent event"
    verbose_name_plural = "consent log (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mailing_list")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OnListFilter(admin.SimpleListFilter):
    title = "list"
    parameter_name = "mailing_list"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in MailingList.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            on_list = Subscription.objects.filter(mailing_list_id=self.value())
            return queryset.filter(pk__in=on_list.values("subscriber_id"))
        return queryset


class SubscriptionStatusFilter(admin.SimpleListFilter):
    """Subscription status; on the list chosen in the list filter when there is one."""

    title = "subscription status"
    parameter_name = "subscription_status"

    def lookups(self, request, model_admin):
        return Subscription.Status.choices

    def queryset(self, request, queryset):
        if self.value():
            subscriptions = Subscription.objects.filter(status=self.value())
            list_id = request.GET.get(OnListFilter.parameter_name)
            if list_id:
                subscriptions = subscriptions.filter(mailing_list_id=list_id)
            return queryset.filter(pk__in=subscriptions.values("subscriber_id"))
        return queryset


class ChooseListForm(forms.Form):
    mailing_list = forms.ModelChoiceField(
        queryset=MailingList.objects.order_by("name"), label="Unsubscribe from"
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=300, widget=forms.TextInput(attrs={"size": 60}), help_text="Kept in the log."
    )


class ConfirmForm(forms.Form):
    pass


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "language", "status", "source", "created_at"]
    list_filter = [
        OnListFilter,
        SubscriptionStatusFilter,
        "status",
        "language",
        "source",
    ]
    search_fields = ["email", "name"]
    fields = [
        "email",
        "name",
        "language",
        "status",
        "status_reason",
        "source",
        "created_at",
        "updated_at",
        "erased_at",
    ]
    # Status changes only through the block/unblock actions (they write the consent log).
    readonly_fields = ["status", "status_reason", "source", "created_at", "updated_at", "erased_at"]
    inlines = [SubscriptionInline, ConsentEventInline]
    actions = [
        "unsubscribe_from_list",
        "block",
        "unblock",
        "resend_confirmation",
        "export_personal_data",
        "erase_personal_data",
    ]

    def has_delete_permission(self, request, obj=None):
        # Deleting would destroy the proof of consent: "erase personal data" instead.
        return False

    def save_model(self, request, obj, form, change):
        if not change and not obj.source:
            obj.source = admin_how(request)
        super().save_model(request, obj, form, change)

    # -- an intermediate page for the actions that need a choice or a confirmation ----------

    def _ask(self, request, queryset, *, action: str, title: str, intro: str, form, submit: str):
        # "Select all N" stays a flag (the changelist's filters are in the URL posted back to)
        # beside the ticked ids, rather than becoming thousands of hidden ids.
        select_across = request.POST.get("select_across") == "1"
        if select_across:
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            count = queryset.count()
        else:
            selected = list(queryset.values_list("pk", flat=True))
            count = len(selected)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "intro": intro,
            "form": form,
            "submit": submit,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": select_across,
            "selected": selected,
            "shown": list(queryset.order_by("email")[:50]),
            "more": max(count - 50, 0),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    @staticmethod
    def _answer(request, form_class):
        """The filled form when the intermediate page was submitted, else an empty one."""
        if "apply" in request.POST:
            return form_class(request.POST), True
        return form_class(), False

    # -- the actions ------------------------------------------------------------------------

    def _ask_then_apply(self, request, queryset, form_class, apply, **page):
        """An action with a question: ask on an intermediate page; once answered, ``apply``
        (the form's data, who did it) -> (how many changed, the message), and report."""
        form, submitted = self._answer(request, form_class)
        if submitted and form.is_valid():
            done, message = apply(form.cleaned_data, admin_how(request))
            self.message_user(request, message, messages.SUCCESS if done else messages.WARNING)
            return None
        return self._ask(request, queryset, form=form, **page)

    @admin.action(description="Unsubscribe from a list…", permissions=["change"])
    def unsubscribe_from_list(self, request, queryset):
        def apply(data, how):
            mailing_list = data["mailing_list"]
            ids = list(queryset.values_list("pk", flat=True))
            done = sum(suppression.unsubscribe(pk, mailing_list.pk, how=how) for pk in ids)
            rest = len(ids) - done
            return done, f"{done} unsubscribed from {mailing_list}" + (
                f"; {rest} were not on it or had left already." if rest else "."
            )

        return self._ask_then_apply(
            request,
            queryset,
            ChooseListForm,
            apply,
            action="unsubscribe_from_list",
            title="Unsubscribe from a list",
            intro="Take these readers off the list you choose (the consent log keeps who did it):",
            submit="Unsubscribe",
        )

    @admin.action(description="Block (no more mail on any list)…", permissions=["change"])
    def block(self, request, queryset):
        def apply(data, how):
            ids = list(queryset.values_list("pk", flat=True))
            done = sum(suppression.block(pk, data["reason"], how=how) for pk in ids)
            rest = len(ids) - done
            return done, f"{done} blocked" + (f"; {rest} were blocked already." if rest else ".")

        return self._ask_then_apply(
            request,
            queryset,
            ReasonForm,
            apply,
            action="block",
            title="Block readers",
            intro="No list will mail these readers until they are unblocked. Why?",
            submit="Block",
        )

    @admin.action(description="Unblock…", permissions=["change"])
    def unblock(self, request, queryset):
        def apply(data, how):
            # An erased reader stays blocked: the address is gone for good.
            ids = list(queryset.filter(erased_at__isnull=True).values_list("pk", flat=True))
            done = sum(suppression.unblock(pk, data["reason"], how=how) for pk in ids)
            rest = queryset.count() - done
            return done, f"{done} unblocked" + (
                f"; {rest} were not blocked or are erased." if rest else "."
            )

        return self._ask_then_apply(
            request,
            queryset,
            ReasonForm,
            apply,
            action="unblock",
            title="Unblock readers",
            intro="These readers get their confirmed lists again from the next edition. Why?",
            submit="Unblock",
        )

    @admin.action(description="Resend the confirmation email (pending)", permissions=["change"])
    def resend_confirmation(self, request, queryset):
        pending = (
            Subscription.objects.filter(subscriber__in=queryset, status=Subscription.Status.PENDING)
            .select_related("subscriber", "mailing_list")
            .order_by("subscriber__email", "mailing_list__name")
        )
        how = admin_how(request)
        sent, blocked, failed = 0, 0, []
        for subscription in pending:
            if subscription.subscriber.status == Subscriber.Status.BLOCKED:
                blocked += 1
                continue
            try:
                signup.send_confirmation(subscription, how=how)
            except MailNotSent as exc:
                failed.append(
                    f"{subscription.subscriber.email} ({subscription.mailing_list}): {exc}"
                )
            else:
                sent += 1
        if not (sent or blocked or failed):
            self.message_user(
                request,
                "None of these readers has a subscription waiting for confirmation.",
                messages.WARNING,
            )
            return None
        if sent:
            self.message_user(
                request,
                ngettext("%d confirmation email sent.", "%d confirmation emails sent.", sent)
                % sent,
                messages.SUCCESS,
            )
        if blocked:
            self.message_user(
                request, f"{blocked} not sent: the reader is blocked.", messages.WARNING
            )
        if failed:
            self.message_user(
                request,
                f"{len(failed)} could not be sent: " + "; ".join(failed),
                messages.ERROR,
            )
        return None

    @admin.action(description="Export personal data (JSON)", permissions=["change"])
    def export_personal_data(self, request, queryset):
        people = list(queryset.order_by("pk"))
        records = [privacy.export_subscriber(s) for s in people]
        for subscriber in people:  # in the admin's history of each reader
            self.log_change(request, subscriber, "Exported personal data (JSON).")
        data = records[0] if len(records) == 1 else records
        name = f"subscriber-{people[0].pk}" if len(people) == 1 else f"subscribers-{len(people)}"
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response

    @admin.action(description="Erase personal data…", permissions=["change"])
    def erase_personal_data(self, request, queryset):
        form, submitted = self._answer(request, ConfirmForm)
        if submitted and form.is_valid():
            how = admin_how(request)
            total = queryset.count()
            people = list(queryset.filter(erased_at__isnull=True))
            for subscriber in people:
                privacy.erase(subscriber, how=how)
            rest = total - len(people)
            self.message_user(
                request,
                f"Erased the personal data of {len(people)} reader(s)"
                + (f"; {rest} had been erased already." if rest else "."),
                messages.SUCCESS if people else messages.WARNING,
            )
            return None
        return self._ask(
            request,
            queryset,
            action="erase_personal_data",
            form=form,
            title="Erase personal data",
            intro=(
                "Replace these readers' addresses with a hash, remove their names and IP "
                "addresses, unsubscribe them from every list and block the addresses for good "
                "(no import or form can add them again). This cannot be undone."
            ),
            submit="Yes, erase",
        )
