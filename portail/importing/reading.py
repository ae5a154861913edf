"""Reading an import file: its encoding, its delimiter, its lines.

- Encoding: UTF-8 (with or without the BOM a spreadsheet writes), else
  Windows-1252 (what a French spreadsheet writes as "CSV"); a file that is
  neither (UTF-16, a spreadsheet's binary file, bytes Windows-1252 does not
  define) is refused as a whole with the line of the first byte in fault
  (:func:`detect_encoding`: one pass over the file in chunks, nothing held).
- Delimiter: ``;`` or ``,``, whichever splits the header into more of the
  file's known columns.
- Lines: read one at a time, at most :data:`MAX_LINE_BYTES` bytes; a longer
  line is skipped to its end in chunks (never held whole) and its record
  rejected; ``csv.field_size_limit`` bounds a field that spans lines (an
  unclosed quote).  A record is numbered by its first physical line, as a
  spreadsheet numbers it (the header is line 1).
"""
import codecs
import csv

from portail.i18n import _

#: the longest line read (bytes); a longer one is rejected unread
MAX_LINE_BYTES = 10_000
#: what a long line or the encoding check reads at a time
CHUNK = 1 << 16
DELIMITERS = (';', ',')
UTF8, CP1252 = 'utf-8', 'cp1252'
#: the bytes Windows-1252 does not define
CP1252_UNDEFINED = frozenset(b'\x81\x8d\x8f\x90\x9d')


class FileRefused(Exception):
    """The file as a whole cannot be imported; ``message`` says why (a
    translation string)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


NOT_TEXT = _('the file is not a text file in UTF-8 or Windows-1252 (line ${line} holds a '
             'zero byte: UTF-16 text, or a spreadsheet file?). Save it from the spreadsheet '
             'as "CSV UTF-8" and try again.')
BAD_ENCODING = _('the file is neither in UTF-8 nor in Windows-1252 (line ${line} holds a byte '
                 'that neither can read). Save it from the spreadsheet as "CSV UTF-8" and try '
                 'again.')
UNREADABLE = _('the file cannot be read: ${error}.')
MISSING = _('there is no such file.')
EMPTY = _('the file is empty: the first line must name the columns.')


def _line_of(data, offset, first_line):
    return first_line + data.count(b'\n', 0, offset)


def detect_encoding(path):
    """``'utf-8'`` or ``'cp1252'``: the encoding of the file at ``path``;
    raise :class:`FileRefused` for a file that is neither."""
    try:
        with open(path, 'rb') as binary:
            if _reads_as(binary, UTF8):
                return UTF8
            binary.seek(0)
            _reads_as(binary, CP1252, refuse=True)
            return CP1252
    except FileNotFoundError:
        raise FileRefused(MISSING) from None
    except OSError as error:
        raise FileRefused(_(UNREADABLE, mapping={'error': error.strerror})) from None


def _reads_as(binary, encoding, refuse=False):
    """Whether every chunk of ``binary`` decodes as ``encoding``; a zero
    byte refuses the file, and so does a byte in fault when ``refuse``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    while chunk := binary.read(CHUNK):
        zero = chunk.find(b'\x00')
        if zero >= 0:
            raise FileRefused(_(NOT_TEXT, mapping={'line': _line_of(chunk, zero, line)}))
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            if refuse:
                raise FileRefused(_(BAD_ENCODING, mapping={
                    'line': _line_of(chunk, error.start, line)})) from None
            return False
        line += chunk.count(b'\n')
    try:
        decoder.decode(b'', final=True)
    except UnicodeDecodeError:  # a multi-byte character cut by the end of the file
        if refuse:  # pragma: no cover (cp1252 has no multi-byte character)
            raise FileRefused(_(BAD_ENCODING, mapping={'line': line})) from None
        return False
    return True


def choose_delimiter(header, known):
    """The delimiter of :data:`DELIMITERS` that splits ``header`` into the
    most names of ``known`` (``;`` when none does)."""
    def score(delimiter):
        return sum(1 for name in header.split(delimiter) if normalise_column(name) in known)

    return max(DELIMITERS, key=score)


def normalise_column(name):
    return name.strip().strip('"').strip().lower()


class Lines:
    """The decoded physical lines of a binary file, each at most
    :data:`MAX_LINE_BYTES`; a longer one is skipped (its number is added to
    :attr:`too_long`) and read as an empty line."""

    def __init__(self, binary, encoding):
        self.binary = binary
        self.encoding = encoding
        self.number = 0
        self.too_long = []

    def __iter__(self):
        return self

    def __next__(self):
        # the longest line, its end of line (\r\n) included
        raw = self.binary.readline(MAX_LINE_BYTES + 2)
        if not raw:
            raise StopIteration
        self.number += 1
        if len(raw.rstrip(b'\r\n')) > MAX_LINE_BYTES:
            while not raw.endswith(b'\n'):  # the rest of the line, a chunk at a time
                raw = self.binary.readline(CHUNK)
                if not raw:
                    break
            self.too_long.append(self.number)
            return '\n'
        text = raw.decode(self.encoding)
        if self.number == 1:
            text = text.lstrip('\ufeff')
        return text


#: what :func:`read` yields for a record: its line, its values by column
#: (``None`` when rejected) and the reason (``None`` when read)
TOO_LONG = _('line longer than ${max} bytes: not read')
WRONG_FIELD_COUNT = _('${count} fields where the first line names ${expected}')
BAD_CSV = _('the line cannot be read as CSV (${error})')


def read(path, known, required, progress=None):
    """Open the file at ``path`` and check its header against the column
    names ``known`` (``required`` among them); return ``(encoding,
    delimiter, records)`` where ``records`` yields ``(line, values or None,
    reason or None)`` for each non-empty record.  Raise :class:`FileRefused`
    for a file that cannot be imported at all.  ``progress(position)`` is
    called with the count of bytes read as the file is read."""
    encoding = detect_encoding(path)
    binary = open(path, 'rb')  # noqa: SIM115 (closed by the generator)
    try:
        lines = Lines(binary, encoding)
        first = next(lines, None)
        if first is None or not first.strip():
            raise FileRefused(EMPTY)
        delimiter = choose_delimiter(first.rstrip('\r\n'), known)
        header = [normalise_column(n) for n in next(csv.reader([first], delimiter=delimiter))]
        _check_header(header, known, required)
    except BaseException:
        binary.close()
        raise
    return encoding, delimiter, _records(binary, lines, header, delimiter, progress)


MISSING_COLUMNS = _('the first line lacks the required column(s): ${names}.')
UNKNOWN_COLUMNS = _('the first line names unknown column(s): ${names} (the columns are in '
                    'docs/import.md).')
REPEATED_COLUMNS = _('the first line names a column twice: ${names}.')


def _quoted(names):
    return ', '.join(f'« {n} »' for n in names)


def _check_header(header, known, required):
    repeated = sorted({n for n in header if header.count(n) > 1})
    if repeated:
        raise FileRefused(_(REPEATED_COLUMNS, mapping={'names': _quoted(repeated)}))
    unknown = [n for n in header if n not in known]
    if unknown:
        raise FileRefused(_(UNKNOWN_COLUMNS, mapping={'names': _quoted(unknown)}))
    missing = [n for n in known if n in required and n not in header]
    if missing:
        raise FileRefused(_(MISSING_COLUMNS, mapping={'names': _quoted(missing)}))


def _records(binary, lines, header, delimiter, progress):
    limit = csv.field_size_limit(MAX_LINE_BYTES)
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            start = lines.number + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                yield start, None, _(BAD_CSV, mapping={'error': str(error)})
                continue
            if progress is not None:
                progress(binary.tell())
            if lines.too_long and lines.too_long[-1] >= start:
                yield start, None, _(TOO_LONG, mapping={'max': f'{MAX_LINE_BYTES:,}'.replace(
                    ',', '\u202f')})
                continue
            if not any(f.strip() for f in fields):
                continue  # a blank line, or one of empty fields: nothing to import
            if len(fields) != len(header):
                yield start, None, _(WRONG_FIELD_COUNT, mapping={
                    'count': len(fields), 'expected': len(header)})
                continue
            yield start, dict(zip(header, (f.strip() for f in fields), strict=True)), None
    finally:
        csv.field_size_limit(limit)
        binary.close()
