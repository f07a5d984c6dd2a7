"""requirements.lock, which scripts/bootstrap installs, matches pyproject.toml: every direct
dependency (and the build backend) at the version pyproject.toml pins, nothing else claimed as
direct, and every package in it pinned with hashes. scripts/lock regenerates it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+) \\$", re.MULTILINE)
VIA_PROJECT = re.compile(r"#\s+(?:via )?milk-survey \(pyproject\.toml[:a-z.-]*\)")


def direct_pins() -> dict[str, str]:
    """The direct dependencies pyproject.toml pins (each with ==), by canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    specs = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
    ]
    pins = {}
    for spec in specs:
        requirement = Requirement(spec)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{spec}: pin direct dependencies with =="
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def lock_entries() -> dict[str, tuple[str, str]]:
    """Each locked package: its version and its block (hashes and "via" comments)."""
    text = LOCK.read_text()
    matches = list(ENTRY.finditer(text))
    entries = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        block = text[match.end() : following.start() if following else len(text)]
        entries[canonicalize_name(match["name"])] = (match["version"], block)
    return entries


def test_every_direct_dependency_is_locked_at_its_pin():
    locked = lock_entries()
    stale = {
        name: (version, locked.get(name, ("missing",))[0])
        for name, version in direct_pins().items()
        if locked.get(name, ("missing",))[0] != version
    }
    assert not stale, f"run scripts/lock; pyproject.toml pin vs lock: {stale}"


def test_the_lock_claims_no_other_direct_dependency():
    claimed = {name for name, (_v, block) in lock_entries().items() if VIA_PROJECT.search(block)}
    build = {"setuptools"}  # pyproject.toml's build-system.requires
    assert claimed - build == set(direct_pins()), "run scripts/lock"
    assert build <= claimed


def test_every_locked_package_has_hashes():
    entries = lock_entries()
    assert len(entries) > len(direct_pins())  # the transitive ones are there too
    unhashed = [name for name, (_v, block) in entries.items() if "--hash=sha256:" not in block]
    assert not unhashed
    # Only pinned entries: a line naming a package without == would install whatever is newest.
    top_level = [line for line in LOCK.read_text().splitlines() if line[:1].isalnum()]
    assert len(top_level) == len(entries)
