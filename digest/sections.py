"""The sections readers can choose, for the subscribers app (``SUBSCRIBERS_SECTIONS``)."""

from __future__ import annotations

from .models import Section


def choices() -> list[tuple[str, str, str]]:
    return list(Section.objects.order_by("position").values_list("key", "name_en", "name_ko"))
