"""Docs are claims: the defaults README and .env.example give are the code's, and links stay
inside the repository."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SETTINGS = (REPO / "lantoa/config/settings/base.py").read_text()
CODE_DEFAULTS = dict(re.findall(r'os\.environ\.get\(\s*"(LANTOA_\w+)",\s*"([^"]*)"\)', SETTINGS))


def test_env_example_defaults_are_the_codes():
    example = (REPO / ".env.example").read_text()
    shown = dict(re.findall(r"^#?\s*(LANTOA_\w+)=(.*)$", example, flags=re.M))
    # The tunables .env.example shows with their default value (the others are examples).
    for name in (
        "LANTOA_REGISTRATION_RATE_LIMIT",
        "LANTOA_REGISTRATION_RATE_WINDOW",
        "LANTOA_REGISTRATION_RETENTION_DAYS",
        "LANTOA_REMINDER_DAYS_BEFORE",
        "LANTOA_REMINDER_OVERDUE_DAYS",
        "LANTOA_API_TOKEN_DAYS",
        "LANTOA_LOG_LEVEL",
        "LANTOA_DEMO_PASSWORD",
        "LANTOA_EMAIL_RETRIES",
        "LANTOA_EMAIL_RETRY_DELAY",
        "LANTOA_EMAIL_LOG_RETENTION_DAYS",
        "LANTOA_EMAIL_FILE_RETENTION_DAYS",
        "LANTOA_PASSWORD_RESET_TIMEOUT",
        "LANTOA_PASSWORD_RESET_ADDRESS_LIMIT",
        "LANTOA_PASSWORD_RESET_EMAIL_LIMIT",
        "LANTOA_PASSWORD_RESET_WINDOW",
    ):
        assert shown[name].strip() == CODE_DEFAULTS[name], name
    assert CODE_DEFAULTS["LANTOA_REGISTRATION_RATE_LIMIT"] == "20"
    assert CODE_DEFAULTS["LANTOA_REGISTRATION_RATE_WINDOW"] == "600"


def test_readme_rate_limit_defaults_are_the_codes():
    readme = (REPO / "README.md").read_text()
    row = next(line for line in readme.splitlines() if "LANTOA_REGISTRATION_RATE_LIMIT" in line)
    limit = CODE_DEFAULTS["LANTOA_REGISTRATION_RATE_LIMIT"]
    window = CODE_DEFAULTS["LANTOA_REGISTRATION_RATE_WINDOW"]
    days = CODE_DEFAULTS["LANTOA_REGISTRATION_RETENTION_DAYS"]
    assert f"`{limit}`, `{window}`, `{days}`" in row


def test_docs_do_not_point_outside_the_repository():
    files = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
    for path in files:
        text = path.read_text()
        assert "../shared" not in text, path
        for target in re.findall(r"`((?:docs/|design/)[\w/.-]+\.md)`", text):
            base = REPO if target.startswith("docs/") else path.parent
            assert (base / target).exists(), (path.name, target)
