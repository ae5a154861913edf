"""Letters (issue 17, "Letters"): the département's letters to the person, as PDF.

One idea per module:

- :mod:`.kinds`: the five kinds of letters (invitation to a review,
  notification of the CLI's opinion, answer to a rights request, end of
  contract, the signed contract itself), what each concerns (a contract or a
  rights request), when it may be produced, and the values its template reads.
- :mod:`.templates`: finding and rendering a letter's Chameleon template.
  Each kind is a template shipped in ``portail/letters/templates/<kind>.pt``
  (French through gettext, English msgids, like every page); a file of the
  same name in the folder named by the ``portail.letters_dir`` setting wins,
  so a département edits its letters without touching the code
  (``base.pt``, the letterhead and signature, can be overridden the same way).
  The département's name and logo come from ``portail.departement_name`` and
  ``portail.departement_logo``.
- :mod:`.pdf`: HTML to PDF on the server with WeasyPrint (pango and the
  DejaVu fonts that ``.ci/setup-letters.sh`` installs).
- :mod:`.model`: a letter produced is a small persistent record in the
  dossier's ``letters`` folder: kind, the object it concerns, when, by whom,
  how it reached the person (``download``, ``handed_over`` on paper,
  ``posted``) and the PDF bytes themselves, so the person downloads exactly
  the letter that was sent.  It is part of the dossier: erasure removes it
  with the dossier and the pack removes its bytes.
- :mod:`.produce`: producing one (render, store, journal).
- :mod:`.listing`: the rows of the lists of letters (the dossier's page, the
  letters page).

The views are in :mod:`portail.views.letters`; docs/letters.md tells how a
département edits its letters.
"""
