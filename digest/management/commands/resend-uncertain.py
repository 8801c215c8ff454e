from ...delivery.control import resend_uncertain
from ._control import EditionCommand


class Command(EditionCommand):
    help = (
        "Queue again the deliveries a crashed run left uncertain (the provider may have sent "
        "them: some readers may get two). The next `digest send` sends them."
    )

    def act(self, console, edition, **options):
        count = resend_uncertain(edition)
        console.print(f"{edition}: {count} uncertain deliver{'y' if count == 1 else 'ies'} queued")
