"""README's Configuration table is the operator's list of settings: every variable the code
reads from the environment is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r'(?:env(?:_bool|_list)?\(|os\.environ(?:\.get)?[\[(])\s*"([A-Z][A-Z0-9_]+)"')


def settings_read() -> set[str]:
    """What the product reads; ``digest/testing`` (the test harness: DIGEST_TEST_POSTGRES, in
    README's Development) configures no installation."""
    names: set[str] = set()
    for folder in ("digest", "subscribers"):
        for path in (ROOT / folder).rglob("*.py"):
            if "testing" not in path.relative_to(ROOT).parts:
                names |= set(READS.findall(path.read_text(encoding="utf-8")))
    return names


def configuration_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Configuration\n")
    return readme[start : readme.index("\n## ", start + 1)]


def test_every_setting_the_code_reads_is_in_readme_configuration():
    read = settings_read()
    assert {"DATABASE_URL", "DIGEST_SENDER", "DJANGO_SECRET_KEY"} <= read  # the scan works
    rows = "\n".join(line for line in configuration_table().splitlines() if line.startswith("|"))
    missing = sorted(name for name in read if f"`{name}`" not in rows)
    assert not missing, f"settings the code reads but README's Configuration omits: {missing}"
