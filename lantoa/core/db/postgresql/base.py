"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

A kept connection (``CONN_MAX_AGE``) is checked at the start of each request that uses it
(``CONN_HEALTH_CHECKS``). Django checks with ``SELECT 1``: one more round trip per request,
and one more statement for the server, on every API call. An idle connection has nothing
to read, so the socket tells as much without asking: when the server closed the session
(restart, ``pg_terminate_backend``, an idle timeout) it sent an error and closed the socket,
which is then readable. Only then is ``SELECT 1`` run to decide (it fails, and Django opens
a new connection for the request); a connection the driver already knows is broken is
refused at once.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        try:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            quiet = not poller.poll(0)
        except (OSError, ValueError, pq.PQerror):  # the socket is already gone
            return False
        # Something waiting on an idle session: the server's goodbye, or a notice. Ask.
        return quiet or super().is_usable()
