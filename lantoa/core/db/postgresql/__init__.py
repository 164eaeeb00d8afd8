"""Django's PostgreSQL backend whose health check costs no round trip (``base.py``)."""
