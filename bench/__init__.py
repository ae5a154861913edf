"""The benchmark of the portal (issue 7): ``make bench TIER=S|L|both STORAGE=file|zeo|postgres``.

:mod:`bench.generate` builds a département of a chosen size, deterministically;
:mod:`bench.server` serves the portal or an anchor app with waitress in a
subprocess; :mod:`bench.load` drives it with concurrent logged-in clients;
:mod:`bench.report` computes percentiles and ratios; :mod:`bench.run` ties
them together and writes ``bench/results/<tier>-<storage>.json``.
"""
