"""The portal served over real HTTP for the browser: waitress in a thread.

The server binds port 0 on 127.0.0.1, so the system picks a free port and two
test sessions never collide.  The application is the very ``Portal`` of the
webtest suite (memory databases, demo département, injectable clock), so a
test can move the clock between two clicks.
"""
import threading

from waitress import wasyncore
from waitress.server import create_server


class LiveServer:
    """Serve ``app`` on ``http://127.0.0.1:<free port>`` until :meth:`stop`."""

    def __init__(self, app, **options):
        """``options`` are more waitress settings (e.g. ``max_request_body_size``)."""
        self._server = create_server(app, host='127.0.0.1', port=0, threads=4,
                                     expose_tracebacks=False, **options)
        self.url = f'http://127.0.0.1:{self._server.effective_port}'
        self._thread = threading.Thread(target=self._server.run, name='portail-live',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Close every connection and the listening socket, then join the thread.

        The sockets are closed by the server's own thread (through its
        trigger): closed from here, they could vanish under its ``select()``,
        which then fails with EBADF.  With nothing left to watch, its loop ends.
        """
        server = self._server
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:
            # the trigger is closed already (seen once after a ZEO server was
            # killed under load, in tests/backends/test_outage.py): nothing
            # can wake the loop any more, so close its sockets from here
            wasyncore.close_all(server._map)
        self._thread.join(timeout=5)
        server.task_dispatcher.shutdown()
