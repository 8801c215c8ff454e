"""Benchmarks run by `make bench`: figures and ratios, one `BENCH name value unit` line each."""

import os
import secrets

# Each bench site is throwaway, in a folder of its own without a .env: its processes share a
# random key of the run's (a digest process refuses to start without one).
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
