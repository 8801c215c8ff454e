from ...delivery.control import accept_uncertain
from ._control import EditionCommand


class Command(EditionCommand):
    help = (
        "Count the deliveries a crashed run left uncertain as sent: nobody gets two, though a "
        "few may have got none. The other decision is `digest resend-uncertain`."
    )

    def act(self, console, edition, **options):
        count = accept_uncertain(edition)
        console.print(
            f"{edition}: {count} uncertain deliver{'y' if count == 1 else 'ies'} counted as sent"
        )
