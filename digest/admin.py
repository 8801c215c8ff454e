"""Admin for the newsletter's records: sections and sources to configure, the rest to inspect.

It also adds each reader's deliveries and provider events to the subscriber page, by
re-registering ``subscribers.admin.SubscriberAdmin`` with one more inline: the subscribers
app never imports the newsletter.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join

from subscribers.admin import SubscriberAdmin
from subscribers.models import Subscriber

from . import section_examples
from .models import (
    UNDECIDED,
    Article,
    CategoryMapping,
    Delivery,
    Edition,
    EditionItem,
    LlmUsage,
    Section,
    SectionExample,
    Source,
)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    """Sections and the keywords that fill them; the keywords field refuses an entry that is
    not a word or ``["word", weight]`` (``digest.keywords``). `digest classify FILE|URL`
    shows which keywords a page matched, with their weights."""

    list_display = [
        "name_en",
        "name_ko",
        "key",
        "position",
        "max_items",
        "accent_color",
        "catch_all",
    ]
    list_editable = ["position", "max_items"]
    ordering = ["position"]
    readonly_fields = ["learned_words"]
    actions = ["add_learned_keywords"]

    @admin.display(description="Learned from editors' moves")
    def learned_words(self, section: Section) -> str:
        """Shown, never applied: nothing changes classification until an admin adds them."""
        if section.pk is None:
            return "-"
        words = section_examples.learned_for(section)
        note = (
            "Words that stories editors moved into this section carry far more often than the "
            "stories moved out of it or the other stories of the same days (at least 3 "
            "examples). They change nothing until you add them: select the section in the list "
            "and run “Add the learned words as keywords”."
        )
        if not words:
            return format_html('<p>None yet.</p><p class="help">{}</p>', note)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((w.word, w.examples, f"{w.weight:g}", "yes" if w.is_keyword else "no") for w in words),
        )
        return format_html(
            '<table id="learned-words"><thead><tr><th>Word</th><th>Examples</th>'
            "<th>Suggested weight</th><th>Already a keyword</th></tr></thead>"
            '<tbody>{}</tbody></table><p class="help">{}</p>',
            rows,
            note,
        )

    @admin.action(description="Add the learned words as keywords")
    def add_learned_keywords(self, request, queryset) -> None:
        for section in queryset:
            added = section_examples.add_learned_keywords(section)
            if added:
                self.message_user(request, f"{section}: added {', '.join(added)}.")
            else:
                self.message_user(request, f"{section}: nothing new to add.", messages.INFO)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Where articles come from. What each kind needs is in the help text of ``options``."""

    list_display = ["name", "kind", "location", "enabled", "last_collected_at", "has_error"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "location"]
    readonly_fields = ["last_collected_at", "last_error", "etag", "last_modified"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "location", "language", "enabled"]}),
        (
            "Options",
            {
                "fields": ["options"],
                "description": (
                    "files: a folder path, no options. feed: the feed's address; "
                    '{"full_text": "page"} fetches every article page. wordpress: the site '
                    '(https://www.example.com); {"max_pages": 50, "params": {"categories": '
                    '"12"}}. page: a section front, or {"urls": ["https://..."]}; '
                    '{"link_pattern": "/news/", "max_links": 40}.'
                ),
            },
        ),
        (
            "Last collection",
            {"fields": ["last_collected_at", "last_error", "etag", "last_modified"]},
        ),
    ]
    actions = ["forget_validators"]

    @admin.display(boolean=True, description="error")
    def has_error(self, obj) -> bool:
        return bool(obj.last_error)

    @admin.action(description="Fetch in full next time (forget ETag / Last-Modified)")
    def forget_validators(self, request, queryset):
        queryset.update(etag="", last_modified="")


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    """The site's own categories (WordPress, feeds) placed in newsletter sections."""

    list_display = ["category", "section"]
    list_editable = ["section"]
    list_filter = ["section"]
    search_fields = ["category"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Collected stories; which summaries the LLM writer wrote and which sections were a thin
    call are shown and filterable."""

    list_display = [
        "title",
        "language",
        "section",
        "section_thin_margin",
        "section_runner_up",
        "published_at",
        "date_source",
        "summary_source",
        "byline",
    ]
    list_filter = [
        "language",
        "section",
        "section_thin_margin",
        "date_source",
        "summary_source",
        "source",
    ]
    list_select_related = ["section", "section_runner_up"]
    search_fields = ["title", "body", "url", "guid"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "content_hash",
        "summary_source",
        "summary_llm_hash",
        "collected_at",
        "updated_at",
    ]

    def save_model(self, request, obj, form, change):
        # A summary changed by hand is no longer the machine's (nor the lead sentences).
        if change and "summary" in form.changed_data:
            obj.summary_source = Article.SummarySource.EDITOR
            obj.summary_llm_hash = ""
        super().save_model(request, obj, form, change)


@admin.register(LlmUsage)
class LlmUsageAdmin(admin.ModelAdmin):
    """Requests to the LLM writer per day, against DIGEST_LLM_DAILY_CAP (read-only)."""

    list_display = ["day", "requests", "over_cap"]
    readonly_fields = ["day", "requests", "over_cap"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SectionExample)
class SectionExampleAdmin(admin.ModelAdmin):
    """Editors' moves between sections, one per article (read-only): what sections learn
    from, shown on each Section's page."""

    list_display = ["article", "moved_from", "moved_to", "editor", "at"]
    list_filter = ["moved_to", "moved_from"]
    readonly_fields = ["article", "moved_from", "moved_to", "editor", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EditionItemInline(admin.TabularInline):
    model = EditionItem
    fields = ["section", "position", "headline", "summary", "url"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mailing_list", "date", "status_shown", "subject"]
    list_filter = ["status", "mailing_list"]
    date_hierarchy = "date"
    inlines = [EditionItemInline]
    readonly_fields = [
        "status_shown",
        "enqueued_at",
        "finished_at",
        "last_error",
        "approved_at",
        "approved_by",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_undecided=Count("deliveries", filter=Q(deliveries__state__in=UNDECIDED)))
        )

    @admin.display(description="status", ordering="status")
    def status_shown(self, edition: Edition) -> str:
        return edition.status_label


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["email", "edition", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "edition"]
    search_fields = ["email", "provider_id"]
    list_select_related = ["edition__mailing_list"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


class LatestDeliveriesFormSet(BaseInlineFormSet):
    """The most recent deliveries only: a reader of many years has thousands."""

    def get_queryset(self):
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[: DeliveryInline.shown]
        return self._latest


class DeliveryInline(admin.TabularInline):
    """What each edition did for this reader, with what the provider reported afterwards."""

    model = Delivery
    formset = LatestDeliveriesFormSet
    shown = 100
    fields = ["edition", "state", "sent_at", "outcome", "last_error", "provider_events"]
    readonly_fields = fields
    ordering = ["-id"]
    extra = 0
    can_delete = False
    verbose_name_plural = f"deliveries (newest first, the latest {shown})"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("edition__mailing_list")
            .prefetch_related("events")
        )

    @admin.display(description="provider events")
    def provider_events(self, obj):
        events = list(obj.events.all())
        if not events:
            return "—"
        return format_html_join(
            "",
            "<div>{} {}{}</div>",
            (
                (
                    f"{event.at:%Y-%m-%d %H:%M}",
                    event.kind,
                    f" ({_event_detail(event)})" if _event_detail(event) else "",
                )
                for event in events
            ),
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _event_detail(event) -> str:
    """The provider's reason, status or link, when the payload has one."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    for key in ("reason", "response", "status", "url"):
        if payload.get(key):
            return str(payload[key])[:200]
    return ""


admin.site.unregister(Subscriber)


@admin.register(Subscriber)
class SubscriberHistoryAdmin(SubscriberAdmin):
    """The subscriber page with the reader's deliveries and provider events."""

    inlines = [*SubscriberAdmin.inlines, DeliveryInline]
