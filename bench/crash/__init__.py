"""The crash matrix: `digest send` killed with SIGKILL at random points, then settled through
the CLI, and what the local providers received checked against what the product reported.

``scenarios`` (what is run), ``servers`` (the counting providers), ``run`` (one scenario),
``ledger`` and ``processes`` (what the harness reads of the database and of the processes),
``checks`` (the rules), ``report`` (the tables); ``python -m bench.crash`` runs them.
"""
