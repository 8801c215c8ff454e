"""Getting an edition to its readers: the ledger of deliveries, the dispatch loop, senders."""
