"""Test harness, not part of the portal: serve a portal for
``tests/test_journal_crash.py`` and let that test kill it at a chosen moment.

``python tests/crash_server.py CONFIG.ini [PAUSE_FILE]`` serves the portal
of ``CONFIG.ini`` with waitress on a free port of 127.0.0.1 and prints
``Serving on PORT`` on standard error once it accepts connections.

With ``PAUSE_FILE``, every commit of a FileStorage goes through
:func:`pausing_tpc_finish`: as soon as the test has written ``WHEN NAME
COUNT WHOSE`` into that file (``before`` or ``after``, a storage's file name
such as ``Data.fs``, a number, and ``request``, ``writer`` or ``any``), the
COUNT-th commit of that storage from then on, counting only the commits of
requests (``pyramid_tm`` notes their path in the transaction) or only the
others (the journal writer's), prints ``PAUSED`` and sleeps, just before or
just after FileStorage finishes it, so that the test's ``kill -9`` lands
exactly there.  The portal's own
code is not changed: only the storage's ``tpc_finish`` is wrapped, as a slow
disk would stretch it.
"""
import os
import sys
import threading
import time

#: how long a paused commit sleeps (the test kills the process long before)
PAUSE_SECONDS = 600


def pausing_tpc_finish(pause_file):
    """Wrap ``FileStorage.tpc_finish`` to pause as ``pause_file`` says."""
    from ZODB.FileStorage import FileStorage

    finish = FileStorage.tpc_finish
    lock = threading.Lock()
    state = {'spec': None, 'count': 0}

    def armed(storage, transaction):
        """Whether this commit of ``storage`` is the one to pause at, and when."""
        with lock:
            if state['spec'] is None:
                if not os.path.exists(pause_file):
                    return None
                with open(pause_file, encoding='ascii') as fh:
                    when, name, count, whose = fh.read().split()
                state['spec'] = (when, name, int(count), whose)
            when, name, count, whose = state['spec']
            if os.path.basename(storage._file_name) != name:
                return None
            if whose != 'any' and (whose == 'request') != bool(transaction.description):
                return None
            state['count'] += 1
            return when if state['count'] == count else None

    def pause():
        print('PAUSED', file=sys.stderr, flush=True)
        time.sleep(PAUSE_SECONDS)

    def tpc_finish(self, transaction, f=None):
        when = armed(self, transaction)
        if when == 'before':
            pause()
        result = finish(self, transaction, f)
        if when == 'after':
            pause()
        return result

    FileStorage.tpc_finish = tpc_finish


def serve(ini_path, pause_file=None):
    if pause_file:
        pausing_tpc_finish(pause_file)
    import waitress
    from pyramid.paster import get_app

    app = get_app(ini_path)
    server = waitress.create_server(app, host='127.0.0.1', port=0, threads=4)
    print(f'Serving on {server.effective_port}', file=sys.stderr, flush=True)
    server.run()


if __name__ == '__main__':
    serve(*sys.argv[1:])
