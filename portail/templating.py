"""Compile Chameleon templates one at a time.

Chameleon compiles a template on its first use, in the thread of the request
that needs it.  On CPython before 3.13, two threads building Python ASTs at
the same time can corrupt the interpreter's recursion counter and get
``SystemError: AST constructor recursion depth mismatch`` (CPython gh-106905,
Chameleon issue 387): the first concurrent requests after a start would end
on the error page.  A lock around the compilation (once per template, so it
costs nothing afterwards) avoids it; found by the concurrent logins of
``tests/backends/test_concurrency.py``.
"""
import threading

from chameleon.template import BaseTemplate

_COMPILING = threading.RLock()


def _locked(cook):
    def locked_cook(self, *args, **kw):
        with _COMPILING:
            return cook(self, *args, **kw)

    locked_cook.compiles_one_at_a_time = True
    return locked_cook


def includeme(config):
    if not getattr(BaseTemplate._cook, 'compiles_one_at_a_time', False):
        BaseTemplate._cook = _locked(BaseTemplate._cook)
