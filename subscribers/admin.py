"""Admin for lists, readers and their subscriptions."""

from django.contrib import admin
from django.db.models import Count, Q

from .models import MailingList, Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ["mailing_list", "status", "sections", "source", "confirmed_at", "unsubscribed_at"]
    readonly_fields = ["confirmed_at", "unsubscribed_at"]
    extra = 0


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "language", "send_time", "confirmed", "pending", "left"]
    prepopulated_fields = {"slug": ["name"]}

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


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "language", "status", "created_at"]
    list_filter = ["status", "language", "subscriptions__mailing_list"]
    search_fields = ["email", "name"]
    inlines = [SubscriptionInline]
