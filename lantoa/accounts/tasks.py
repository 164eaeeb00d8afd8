"""Tasks of the accounts app, run by the huey worker (`lantoa run_huey`)."""

from huey.contrib.djhuey import db_task

from lantoa.accounts.services import password_reset_send


@db_task()
def password_reset_links(email: str) -> int:
    """Look the address up and queue its reset links, off the request: the page then does
    the same work whether or not the address has an account (no timing difference)."""
    return password_reset_send(email=email)
