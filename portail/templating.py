"""Build Python ASTs one thread at a time.

Chameleon compiles a template on its first use, in the thread of the request
that needs it.  On CPython before 3.13, two threads building Python ASTs at
the same time can corrupt the interpreter's recursion counter and get
``SystemError: AST constructor recursion depth mismatch`` (CPython gh-106905,
Chameleon issue 387): the first concurrent requests after a start would end
on the error page.  Found by the concurrent logins of
``tests/backends/test_concurrency.py``.

Chameleon is not the only builder of ASTs in the process: on Python 3.11 and
3.12, formatting a traceback parses the failing line's source
(``traceback._extract_caret_anchors_from_line_segment``) to place its
``^^^`` marks, and tracebacks are formatted whenever an error is logged, in
any thread -- the ZEO client's own thread logs its connection failures while
a storage is down.  The French 503 page compiled during a ZEO outage, beside
such a log line, gave a bare 500 (``tests/backends/test_outage.py``, about one
run in ten).

So one lock serialises both: the template compilation (once per template,
so it costs nothing afterwards) and the caret placement of a formatted
traceback (only when an error is logged).
"""
import threading
import traceback

from chameleon.template import BaseTemplate

_BUILDING_AST = threading.RLock()

#: the traceback helper that parses source code, on the Pythons that have it
_CARETS = '_extract_caret_anchors_from_line_segment'


def _locked(function):
    def one_at_a_time(*args, **kw):
        with _BUILDING_AST:
            return function(*args, **kw)

    one_at_a_time.builds_one_at_a_time = True
    one_at_a_time.__wrapped__ = function
    return one_at_a_time


def build_asts_one_at_a_time():
    """Put Chameleon's compilation and the traceback's caret placement under
    the one lock (idempotent)."""
    if not getattr(BaseTemplate._cook, 'builds_one_at_a_time', False):
        BaseTemplate._cook = _locked(BaseTemplate._cook)
    carets = getattr(traceback, _CARETS, None)
    if carets is not None and not getattr(carets, 'builds_one_at_a_time', False):
        setattr(traceback, _CARETS, _locked(carets))


def includeme(config):
    build_asts_one_at_a_time()
