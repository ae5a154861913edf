"""Bringing an existing caseload in (issue 19): ``portail-import``.

A département starting with Portail imports, from CSV files its current
information system exports (docs/import.md), first its staff accounts, then
the dossiers of the people it follows.  One idea per module:

- :mod:`.reading`: the file's encoding (UTF-8, with or without BOM, else
  Windows-1252; anything else is refused), its delimiter (``;`` or ``,``),
  its header, and its lines, a line too long refused without being read
  into memory;
- :mod:`.columns`: the documented columns of each file;
- :mod:`.records`: one line checked into a plain record, or the reason it
  is rejected (a translation string, French in the report);
- :mod:`.apply`: the records written with the portal's own methods and
  indexes, matched on their external id (created, updated, unchanged),
  in batches;
- :mod:`.report`: the counts, the rejected lines and the progress shown
  while it runs.
"""
