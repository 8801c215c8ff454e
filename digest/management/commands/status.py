from rich.table import Table

from ...delivery.control import status
from ...delivery.ledger import unfinished
from ...stats import edition_stats
from ._control import EditionCommand
from ._output import open_lines


class Command(EditionCommand):
    help = "Show an edition's deliveries by state, what the provider reported, the last error."

    def act(self, console, edition, **options):
        state = status(edition)
        console.print(f"{edition}: {edition.status_label.lower()} — {edition.subject}")
        table = Table(title="Deliveries", title_justify="left")
        table.add_column("state")
        table.add_column("count", justify="right")
        for name, count in state.counts.items():
            table.add_row(name, str(count))
        console.print(table)
        stats = edition_stats(edition)
        reported = Table(title="Reported by the provider", title_justify="left")
        reported.add_column("event")
        reported.add_column("readers", justify="right")
        for name, count in stats.items():
            reported.add_row(name, str(count))
        console.print(reported)
        for error, count in state.failures:
            console.print(f"failed ×{count}: {error}", soft_wrap=True)
        if state.last_error:
            console.print(f"last error: {state.last_error}", soft_wrap=True)
        ref = f"{edition.mailing_list.slug}/{edition.date:%Y-%m-%d}"
        for line in open_lines(unfinished(edition), ref):
            console.print(f"open: {line}", soft_wrap=True)
