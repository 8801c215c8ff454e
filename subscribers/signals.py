"""Signals other apps listen to, so this app never needs to know them."""

from django.dispatch import Signal

# Sent inside erase()'s transaction with ``subscriber`` (already anonymised) and ``email``
# (the address as it was): listeners remove the address from their own records.
subscriber_erased = Signal()
