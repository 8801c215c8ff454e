from django.contrib import admin
from django.urls import include, path

from digest import webhooks

urlpatterns = [
    path("admin/", admin.site.urls),
    path("webhooks/sendgrid/", webhooks.sendgrid_events, name="sendgrid-webhook"),
    path("", include("subscribers.urls")),
]
