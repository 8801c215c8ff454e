from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "digest"
    verbose_name = "Morning digest"

    def ready(self) -> None:
        from subscribers.signals import subscriber_erased

        from .erasure import forget_address

        # An erased reader's address also leaves the provider events we keep.
        subscriber_erased.connect(forget_address, dispatch_uid="digest.erasure.forget_address")
