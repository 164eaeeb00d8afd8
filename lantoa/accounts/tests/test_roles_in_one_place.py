"""Roles are the ``Role`` enum and permission rules live in ``permissions.py`` modules:
no role string literal in the code (issue 9 counted 88)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_LITERAL = re.compile(
    r"""(role\s*=\s*|min_role\s*=\s*|has_role(?:_at)?\([^)]*,\s*)["'](viewer|editor|approver|admin)["']"""
)


def _sources():
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, path.read_text(encoding="utf-8")


def test_no_role_string_literals():
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path, text in _sources()
        for m in ROLE_LITERAL.finditer(text)
    ]
    assert offenders == []


def test_every_domain_app_has_a_permissions_module():
    for app in ("accounts", "units", "campaigns", "documents", "reports", "activities", "honours"):
        assert (ROOT / app / "permissions.py").exists(), app
