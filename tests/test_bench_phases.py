"""`make bench` runs its phases as processes against a site of their own; here each phase runs
once on a small list, so a change that breaks the benchmark fails the suite rather than the
next person who measures."""

from __future__ import annotations

import re
import subprocess
import sys

from digest.testing.sites import ROOT, Site

BENCH_LINE = re.compile(r"^BENCH (\S+) ([0-9.]+) (\S+)$", re.M)


def run_phase(site: Site, phase: str, readers: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.phases", phase, str(readers)],
        env=site.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return {name: float(value) for name, value, _ in BENCH_LINE.findall(done.stdout)}


def test_every_phase_runs_and_prints_its_figures(tmp_path):
    site = Site(tmp_path)
    assert run_phase(site, "setup", 60) == {}
    rendered = run_phase(site, "render", 60)
    assert rendered["render_variant_ms"] > 0 and rendered["personalize_reader_us"] > 0
    assert run_phase(site, "baseline", 60)["encode_baseline_recipients_per_s_60"] > 0
    sent = run_phase(site, "send", 60)
    assert sent["send_recipients_per_s_60"] > 0
    assert sent["send_ratio_vs_encode_baseline_60"] > 0
    states = dict(site.query("SELECT state, COUNT(*) FROM digest_delivery GROUP BY state"))
    assert states.get("sent", 0) > 0 and set(states) <= {"sent", "skipped"}
