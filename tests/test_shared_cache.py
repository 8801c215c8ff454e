"""DIGEST_CACHE: where the login lockouts and subscribe limits count. With several web
processes they must count together, or each process grants its own five guesses."""

from __future__ import annotations

import pytest

from digest.testing.sites import Site

COUNT = "from django.core.cache import cache; cache.add('guesses', 0); print(cache.incr('guesses'))"


@pytest.mark.parametrize("kind", ["file", "database"])
def test_separate_processes_count_together_in_a_shared_cache(tmp_path, kind):
    site = Site(tmp_path, DIGEST_CACHE=kind)
    try:
        assert site.run("migrate", "--no-input").returncode == 0
        if kind == "database":
            made = site.run("createcachetable")
            assert made.returncode == 0, made.stderr
        counts = []
        for _ in range(3):  # three processes, as three gunicorn workers
            done = site.run("shell", "-c", COUNT)
            assert done.returncode == 0, done.stderr
            counts.append(int(done.stdout.split()[-1]))
        assert counts == [1, 2, 3]
    finally:
        site.drop()


def test_the_default_counts_in_each_process_and_a_typo_is_refused(tmp_path):
    site = Site(tmp_path)
    counts = [int(site.run("shell", "-c", COUNT).stdout.split()[-1]) for _ in range(2)]
    assert counts == [1, 1]  # memory: each process apart (one process: a developer's server)
    wrong = Site(tmp_path, DIGEST_CACHE="redis").run("check")
    assert wrong.returncode != 0 and "DIGEST_CACHE='redis': use memory, file or database" in (
        wrong.stderr
    )
