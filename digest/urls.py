from django.contrib import admin
from django.urls import include, path

from digest import webhooks
from digest.views import archive, desk, health, login

desk_patterns = (
    [
        path("", desk.editions, name="editions"),
        path("editions/<int:pk>/", desk.edition, name="edition"),
        path("editions/<int:pk>/preview/", desk.edition_preview, name="preview"),
        path("editions/<int:pk>/items/<int:item_id>/", desk.item_action, name="item"),
        path(
            "editions/<int:pk>/<str:action>/",
            desk.edition_action,
            name="action",
        ),
        path("lists/<slug:slug>/", desk.list_stats, name="stats"),
        path("login/", login.login, name="login"),
        path("logout/", login.logout, name="logout"),
    ],
    "desk",
)

urlpatterns = [
    # The admin's login is throttled like the desk's (the route before admin's own wins).
    path("admin/login/", login.throttled(admin.site.login), name="admin-login"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("webhooks/sendgrid/", webhooks.sendgrid_events, name="sendgrid-webhook"),
    path("desk/", include(desk_patterns)),
    path("archive/<slug:slug>/", archive.index, name="archive"),
    path("archive/<slug:slug>/<str:day>/", archive.edition, name="archive-edition"),
    path("", include("subscribers.urls")),
]
