"""Stream the cell values of an xlsx file's first worksheet, row by row, without openpyxl.

An xlsx file is a zip of XML parts. The import reads only four of them: the workbook (which
sheet is first, the date system), its relationships (where the parts are), the shared strings
(streamed with ``iterparse``, each item cleared once read) and the styles (which cell formats
are dates). The sheet itself is fed in 64 KiB chunks to an ``XMLParser`` whose target builds
each row's tuple directly: no element tree is kept, so memory holds the shared strings and the
rows of one chunk, never the sheet.

Why not openpyxl's read-only mode: for each cell it builds descriptor-checked objects and
rich-text models; on the 140,000-row benchmark file that was about half of the import's time
(see ``docs/households.md``). openpyxl stays for writing the template and exports, and this
module reuses its date helpers, so values come out as openpyxl's ``values_only`` gives them:

- text (shared, inline, formula results) as ``str``; rich-text runs joined, phonetic runs
  (``rPh``) left out;
- numbers as ``int`` when the stored literal is an integer, else ``float`` — so a phone or an
  ID number stored as a whole number comes through exactly, and one that Excel rounded
  (``5.33423199001011E+17``) stays a float that the import can explain;
- numbers in a date-formatted cell as ``datetime`` (1900 or 1904 date system), booleans as
  ``bool``, error cells as their text (``#N/A``);
- rows numbered as in the sheet, missing rows yielded empty, missing cells as ``None``.
"""

import contextlib
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL_ATTR = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_STRICT_DOC_REL_ATTR = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
_DIGITS = "0123456789"


class XlsxError(Exception):
    """The file is not a readable xlsx workbook; ``user_message`` says why when it is known."""

    def __init__(self, user_message: str = ""):
        super().__init__(user_message)
        self.user_message = user_message


#: Excel's own limits: a sheet that claims more is not a real one (a 2 KB file declaring row
#: 10,000,000 must not make the reader hold ten million rows).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


def iter_rows(source) -> Iterator[tuple[int, tuple]]:
    """Yield ``(row_number, values)`` for every row of the first worksheet of ``source``.

    ``source`` is a path or a seekable binary file. Raises ``XlsxError`` when the file is not
    a zip, lacks a worksheet, or holds malformed XML (also part-way through the rows).
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise XlsxError() from exc
    try:
        with archive:
            parts = _Parts(archive)
            with archive.open(parts.sheet) as stream:
                yield from _sheet_rows(stream, parts.strings(), parts.date_styles(), parts.epoch)
    except (KeyError, IndexError, ET.ParseError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise XlsxError() from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _namespace(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _relationships(archive, part: str) -> list[tuple[str, str, str]]:
    """``(id, type, resolved target)`` of the relationships of ``part``."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return []
    root = ET.fromstring(archive.read(rels))
    return [
        (rel.get("Id"), rel.get("Type", ""), _resolve(folder, rel.get("Target", "")))
        for rel in root.iter(_REL_NS + "Relationship")
        if rel.get("TargetMode") != "External"
    ]


class _Parts:
    """Where the workbook's parts are, and its date system."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        workbook = next(
            (t for _i, kind, t in _relationships(archive, "") if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        rels = _relationships(archive, workbook)
        by_id = {rid: (kind, target) for rid, kind, target in rels}
        root = ET.fromstring(archive.read(workbook))
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheet = None
        for element in root.iter():
            tag = _local(element.tag)
            if tag == "workbookPr" and element.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif tag == "sheet" and self.sheet is None:
                rid = element.get(_DOC_REL_ATTR) or element.get(_STRICT_DOC_REL_ATTR)
                kind, target = by_id.get(rid, ("", ""))
                if kind.endswith("/worksheet"):  # not a chart sheet
                    self.sheet = target
        if self.sheet is None:
            raise XlsxError(_("工作簿中没有工作表。"))
        self._strings = next((t for _i, k, t in rels if k.endswith("/sharedStrings")), None)
        self._styles = next((t for _i, k, t in rels if k.endswith("/styles")), None)

    def strings(self) -> list[str]:
        """The shared strings table, streamed (``si`` elements cleared as read)."""
        if not self._strings or self._strings not in self.archive.NameToInfo:
            return []
        strings = []
        with self.archive.open(self._strings) as stream:
            for _event, element in ET.iterparse(stream):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element).replace("x005F_", ""))
                    element.clear()
        return strings

    def date_styles(self) -> frozenset[int]:
        """Indexes of the cell formats (``cellXfs``) whose number format shows a date."""
        if not self._styles or self._styles not in self.archive.NameToInfo:
            return frozenset()
        root = ET.fromstring(self.archive.read(self._styles))
        custom = {}
        dates = set()
        for element in root:
            tag = _local(element.tag)
            if tag == "numFmts":
                for fmt in element:
                    custom[int(fmt.get("numFmtId", -1))] = fmt.get("formatCode", "")
            elif tag == "cellXfs":
                for index, xf in enumerate(element):
                    fmt_id = int(xf.get("numFmtId", 0))
                    code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id))
                    if code and is_date_format(code):
                        dates.add(index)
        return frozenset(dates)


def _text_of(node) -> str:
    """The plain text of a string item (``si`` or ``is``): its ``t`` and its runs' ``t``,
    without phonetic hints (``rPh``)."""
    ns = _namespace(node.tag)
    t_tag, run_tag = ns + "t", ns + "r"
    if len(node) == 1 and node[0].tag == t_tag:  # the common case: one plain text
        return node[0].text or ""
    parts = []
    for child in node:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            parts.append(child.findtext(t_tag) or "")
    return "".join(parts)


_COLUMNS: dict[str, int] = {}


def _column(reference: str) -> int:
    """0-based column of a cell reference such as ``AB12``."""
    letters = reference.rstrip(_DIGITS)
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        index -= 1
        if not 0 <= index < MAX_COLUMNS:
            raise XlsxError(
                _("单元格 {ref} 超出 Excel 的列数上限（XFD），文件不是正常的工作表。").format(
                    ref=reference[:20]
                )
            )
        if len(_COLUMNS) < 20000:
            _COLUMNS[letters] = index
    return index


def _number(text: str):
    # As openpyxl: an integer literal stays exact (phones, ID numbers written as integers).
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetReader:
    """An ``XMLParser`` target for a worksheet: it builds no elements, only each row's tuple.

    ``ElementTree.iterparse`` (with each row cleared once read) was the first version; this
    callback target reads the same values in about two thirds of the time, because no element
    objects are made and no event goes through a Python generator (docs/households.md).
    """

    def __init__(self, strings, date_styles, epoch):
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.done = []  # finished (row_number, values), drained after each chunk
        self.expected = 1  # the next row number when a row has no ``r``
        self.number = 0
        self.values = []
        self.tags = None
        self.text = None  # the text parts of the current cell (<v>, or <t> of an inline string)
        self.collecting = False
        self.phonetic = False  # inside <rPh>: a reading aid, not part of the value

    def _namespace(self, tag):
        ns = _namespace(tag)
        self.row_tag, self.cell_tag, self.v_tag, self.t_tag, self.rph_tag = (
            ns + name for name in ("row", "c", "v", "t", "rPh")
        )
        self.tags = (self.cell_tag, self.v_tag, self.t_tag)

    def start(self, tag, attrib):
        if self.tags is None:
            self._namespace(tag)
        if tag == self.cell_tag:
            reference = attrib.get("r")
            self.column = _column(reference) if reference else len(self.values)
            self.kind = attrib.get("t")
            self.style = attrib.get("s")
            self.text = None
        elif tag == self.v_tag or (tag == self.t_tag and not self.phonetic):
            if self.text is None:
                self.text = []
            self.collecting = True
        elif tag == self.row_tag:
            reference = attrib.get("r")
            try:
                self.number = int(reference) if reference else self.expected
            except ValueError:
                raise XlsxError(
                    _("行号“{ref}”不是数字，文件不是正常的工作表。").format(ref=str(reference)[:20])
                ) from None
            if not 0 < self.number <= MAX_ROWS:
                raise XlsxError(
                    _(
                        "第 {row} 行超出 Excel 的行数上限（1,048,576），文件不是正常的工作表。"
                    ).format(row=self.number)
                )
            self.values = []
        elif tag == self.rph_tag:
            self.phonetic = True

    def data(self, text):
        if self.collecting:
            self.text.append(text)

    def end(self, tag):
        if tag == self.v_tag or tag == self.t_tag:
            self.collecting = False
        elif tag == self.cell_tag:
            self._cell()
        elif tag == self.row_tag:
            # Rows the file leaves out are yielded empty by ``_sheet_rows``, one at a time: the
            # reader holds only the rows actually present.
            self.done.append((self.number, tuple(self.values)))
            self.expected = self.number + 1
        elif tag == self.rph_tag:
            self.phonetic = False

    def _cell(self):
        kind = self.kind
        value = "".join(self.text) if self.text is not None else None
        if kind == "inlineStr":
            pass  # the text as it is ("" stays "")
        elif not value:
            value = None
        elif kind is None or kind == "n":
            value = _number(value)
            if self.style and int(self.style) in self.date_styles:
                try:
                    value = from_excel(value, self.epoch)
                except (OverflowError, ValueError):
                    value = "#VALUE!"  # as openpyxl: a date out of range
        elif kind == "s":
            value = self.strings[int(value)]
        elif kind == "b":
            value = value not in ("0", "false")
        elif kind == "d":
            with contextlib.suppress(ValueError):  # else: keep the text
                value = from_ISO8601(value)
        # "str" (formula result) and "e" (error) stay text
        values, column = self.values, self.column
        if column == len(values):
            values.append(value)
        elif column > len(values):
            values.extend([None] * (column - len(values)))
            values.append(value)
        else:  # cells out of order: rare, but keep the value in its column
            values[column] = value

    def close(self):
        return None


def _sheet_rows(stream, strings, date_styles, epoch):
    last = 0
    for number, values in _present_rows(stream, strings, date_styles, epoch):
        if number > last + 1:
            yield from ((gap, ()) for gap in range(last + 1, number))
        yield number, values
        last = max(last, number)


def _present_rows(stream, strings, date_styles, epoch):
    reader = _SheetReader(strings, date_styles, epoch)
    parser = ET.XMLParser(target=reader)
    while chunk := stream.read(1 << 16):
        parser.feed(chunk)
        if reader.done:
            yield from reader.done
            reader.done.clear()
    parser.close()
    yield from reader.done
