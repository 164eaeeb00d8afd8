"""Stable codes of the campaigns' problem+json answers (see ``lantoa.core.error_codes``)."""

# 409
CAMPAIGN_ENDED = "campaign_ended"
CAMPAIGN_CLOSED = "campaign_closed"
VERSION_STALE = "version_stale"
