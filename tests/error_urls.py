"""The site's pages plus one that fails, for the error-email tests."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("the desk fell over")


urlpatterns = [path("boom/", boom), path("", include("digest.urls"))]
