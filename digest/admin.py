"""Admin for the newsletter's records: sections and sources to configure, the rest to inspect."""

from django.contrib import admin

from .models import Article, Delivery, Edition, EditionItem, Section, Source


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ko", "key", "position", "max_items", "catch_all"]
    list_editable = ["position", "max_items"]
    ordering = ["position"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "location", "enabled", "last_collected_at"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["last_collected_at", "last_error"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "section", "published_at", "date_source", "byline"]
    list_filter = ["language", "section", "date_source", "source"]
    search_fields = ["title", "body", "url"]
    date_hierarchy = "published_at"
    readonly_fields = ["content_hash", "collected_at", "updated_at"]


class EditionItemInline(admin.TabularInline):
    model = EditionItem
    fields = ["section", "position", "headline", "summary", "url"]
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mailing_list", "date", "status", "subject"]
    list_filter = ["status", "mailing_list"]
    date_hierarchy = "date"
    inlines = [EditionItemInline]
    readonly_fields = ["enqueued_at", "finished_at", "last_error", "approved_at", "approved_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["email", "edition", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "edition"]
    search_fields = ["email", "provider_id"]
    list_select_related = ["edition__mailing_list"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
