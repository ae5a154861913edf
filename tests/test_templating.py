"""Templates are compiled, and tracebacks formatted, one thread at a time
(:mod:`portail.templating`): CPython 3.11 corrupts its AST recursion counter
when two threads build ASTs at once, which gave a bare 500 during a ZEO
outage."""
import ast
import secrets
import threading
import traceback

import pytest
from chameleon import PageTemplate

from portail import templating


class WatchedLock:
    """The lock of :mod:`portail.templating`, noting whether an AST was
    built while it was held."""

    def __init__(self):
        self.lock = threading.RLock()
        self.held = 0
        self.built_inside = 0
        self.built_outside = 0

    def __enter__(self):
        self.lock.acquire()
        self.held += 1

    def __exit__(self, *exc):
        self.held -= 1
        self.lock.release()


@pytest.fixture
def watched(portal, monkeypatch):
    lock = WatchedLock()
    monkeypatch.setattr(templating, '_BUILDING_AST', lock)
    real_compile = compile

    def watching_compile(source, *args, **kw):
        flags = args[2] if len(args) > 2 else kw.get('flags', 0)
        if flags & ast.PyCF_ONLY_AST:
            if lock.held:
                lock.built_inside += 1
            else:
                lock.built_outside += 1
        return real_compile(source, *args, **kw)

    monkeypatch.setattr('builtins.compile', watching_compile)
    return lock


def in_a_thread(work):
    results = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join(30)
    return results[0]


def failing_line(numbers):
    return numbers['a'] + numbers['b'] / 0  # a caret line: part of it fails


def format_a_traceback():
    try:
        failing_line({'a': 1, 'b': 2})
    except ZeroDivisionError:
        return traceback.format_exc()


def test_a_traceback_builds_its_ast_under_the_lock(watched):
    text = in_a_thread(format_a_traceback)
    assert "numbers['b'] / 0" in text and '^' in text
    assert watched.built_inside >= 1
    assert watched.built_outside == 0


def test_a_template_is_compiled_under_the_lock(watched):
    # a source never seen (not in Chameleon's compiled-template cache)
    unseen = secrets.token_hex(8)
    source = f'<p tal:content="python: value * 2">x</p><!-- {unseen} -->'
    assert in_a_thread(lambda: PageTemplate(source)(value=21)) == f'<p>42</p><!-- {unseen} -->'
    assert watched.built_inside >= 1
    assert watched.built_outside == 0


def test_installing_twice_wraps_once(portal):
    templating.build_asts_one_at_a_time()
    carets = getattr(traceback, templating._CARETS)
    assert carets.builds_one_at_a_time
    assert not getattr(carets.__wrapped__, 'builds_one_at_a_time', False)
