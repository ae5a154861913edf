"""Anonymous territorial statistics (docs/domain.md, *CLI and statistics*; issue 6).

- :mod:`.counters`: the counts of contracts, kept up to date on every write
  in conflict-free counters, and a full recount to check them against;
- :mod:`.snapshot`: the published snapshot of the completed months, taken
  from the counters once a month (issue 21);
- :mod:`.suppression`: the *secret statistique*, primary and complementary
  suppression of small counts, in one table or over several axes;
- :mod:`.linked`: every scope's tables of a year protected together, so that
  readers pooling their pages learn no small count (issue 21);
- :mod:`.tables`: the tables a statistics page shows, one scope's view of them;
- :mod:`.charts`: the server-side SVG charts drawn from those tables.

No statistic is computed from notes or free text: the counters know only a
contract's district, start month, state, duration and themes.
"""
