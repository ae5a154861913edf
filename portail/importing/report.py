"""What ``portail-import`` tells: the counts and every rejected line, in the
portal's language (its progress while it runs is the long commands' own,
:mod:`portail.scripts.progress`: the bytes of the file read).
"""
from dataclasses import dataclass, field

from translationstring import TranslationString

from portail.i18n import _


def translate(localizer, message):
    """``message`` translated, the translation strings of its mapping too."""
    if not isinstance(message, TranslationString):
        return str(message)
    if message.mapping:
        mapping = {k: translate(localizer, v) for k, v in message.mapping.items()}
        message = TranslationString(message, mapping=mapping)
    return localizer.translate(message)


@dataclass
class Report:
    """The outcome of one file: counts by outcome, and ``(line, reason)`` of
    each rejected line, in file order."""

    path: str
    kind: str
    counts: dict = field(default_factory=lambda: {'created': 0, 'updated': 0, 'unchanged': 0})
    rejected: list = field(default_factory=list)
    encoding: str = ''
    delimiter: str = ''
    #: the reason the whole file was refused, if it was
    refused: object = None

    def count(self, outcome):
        self.counts[outcome] += 1

    def reject(self, line, reason):
        self.rejected.append((line, reason))

    def lines(self, localizer, applied):
        """The report, line by line, translated."""
        t = lambda message: translate(localizer, message)  # noqa: E731
        what = t(ACCOUNTS if self.kind == 'accounts' else DOSSIERS)
        out = [t(_(FILE_LINE, mapping={'path': self.path, 'what': what}))]
        if self.refused is not None:
            out.append(t(_(REFUSED, mapping={'reason': self.refused})))
            return out
        out.append(t(_(FORMAT_LINE, mapping={
            'encoding': ENCODING_NAMES.get(self.encoding, self.encoding),
            'delimiter': self.delimiter})))
        out.append(t(APPLIED if applied else DRY_RUN))
        for outcome, label in OUTCOME_LABELS:
            out.append(f'  {t(label)} : {self.counts[outcome]}')
        out.append(f'  {t(REJECTED_LABEL)} : {len(self.rejected)}')
        for line, reason in self.rejected:
            out.append(t(_(REJECTED_LINE, mapping={'line': line, 'reason': reason})))
        return out


ACCOUNTS = _('staff accounts')
DOSSIERS = _('dossiers')
FILE_LINE = _('File ${path} (${what})')
FORMAT_LINE = _('Encoding ${encoding}, delimiter « ${delimiter} »')
REFUSED = _('File refused, nothing imported: ${reason}')
DRY_RUN = _('Dry run: nothing was written. Run again with --apply to import.')
APPLIED = _('Imported.')
OUTCOME_LABELS = (('created', _('created')), ('updated', _('updated')),
                  ('unchanged', _('unchanged')))
REJECTED_LABEL = _('rejected')
REJECTED_LINE = _('line ${line}: ${reason}')
ENCODING_NAMES = {'utf-8': 'UTF-8', 'cp1252': 'Windows-1252'}
