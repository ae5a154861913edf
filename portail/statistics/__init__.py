"""Anonymous territorial statistics (docs/domain.md, *CLI and statistics*; issue 6).

- :mod:`.counters`: the counts of contracts, kept up to date on every write
  in conflict-free counters, and a full recount to check them against;
- :mod:`.suppression`: the *secret statistique*, primary and complementary
  suppression of small counts;
- :mod:`.tables`: the tables a statistics page shows, read from the counters;
- :mod:`.charts`: the server-side SVG charts drawn from those tables.

No statistic is computed from notes or free text: the counters know only a
contract's district, start month, state, duration and themes.
"""
