"""Serve the portal or an anchor with waitress on a free port of 127.0.0.1.

``python -m bench.server portal <ini>`` | ``hello`` | ``acl <zodb uri>``,
with ``--threads N``.  Every app gets the same waitress settings
(:data:`WAITRESS`).  The bound port is printed as ``PORT <n>`` once the
app is built, then the server runs until terminated.

``--gc-freeze`` moves every object alive after start-up (code, templates,
configuration) out of the garbage collector's generations, so full
collections no longer walk them (a pause-time fix measured by the bench).
"""
import argparse
import gc
import json
import logging
import signal
import time

import waitress

#: the settings shared by the portal and the anchors (threads is set per run)
WAITRESS = {'host': '127.0.0.1', 'port': 0, 'connection_limit': 100, 'backlog': 1024,
            'channel_timeout': 120, 'ident': 'bench'}


class GCTimer:
    """Counts the collections of each generation and the time they held the GIL."""

    def __init__(self):
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.longest = 0.0
        self.began = None
        gc.callbacks.append(self)

    def __call__(self, phase, info):
        if phase == 'start':
            self.began = time.perf_counter()
        elif self.began is not None:
            took = time.perf_counter() - self.began
            generation = info['generation']
            self.count[generation] += 1
            self.seconds[generation] += took
            self.longest = max(self.longest, took)

    def figures(self):
        return {'collections': self.count,
                'seconds': [round(s, 3) for s in self.seconds],
                'longest_ms': round(self.longest * 1000, 1),
                'thresholds': gc.get_threshold()}


def build_app(kind, target):
    if kind == 'portal':
        from pyramid.paster import get_app

        return get_app(target, 'main')
    from bench import anchors

    if kind == 'hello':
        return anchors.hello_app()
    return anchors.acl_app(target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('kind', choices=('portal', 'hello', 'acl'))
    parser.add_argument('target', nargs='?', help='ini file (portal) or ZODB URI (acl)')
    parser.add_argument('--threads', type=int, default=4)
    parser.add_argument('--gc-freeze', action='store_true')
    parser.add_argument('--gc-stats', help='write garbage-collection figures here at exit')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    app = build_app(args.kind, args.target)
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    timer = GCTimer()
    server = waitress.create_server(app, threads=args.threads, **WAITRESS)
    signal.signal(signal.SIGTERM, _stop)
    print(f'PORT {server.effective_port}', flush=True)
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        server.close()
        # a FileStorage closed cleanly keeps its index: the next start is quick
        for db in getattr(app.registry, '_zodb_databases', {}).values():
            db.close()
        if args.gc_stats:
            figures = timer.figures()
            writer = getattr(app.registry, 'portail_journal_writer', None)
            if writer is not None:  # group commit of the journal's reads
                figures['journal_read_batches'] = writer.batches
                figures['journal_read_entries'] = writer.entries
            with open(args.gc_stats, 'w') as out:
                json.dump(figures, out)


def _stop(signum, frame):
    raise SystemExit(0)


if __name__ == '__main__':
    main()
