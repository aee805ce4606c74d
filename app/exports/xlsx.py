# ruff: noqa: E501 - literal package XML reads better unwrapped
"""A minimal streaming XLSX writer: one pass, rows go straight into the zipped sheet XML.

XlsxWriter (even in constant-memory mode) spends ~10 µs per cell in Python; an export of
100,000 responses has ~25 million cells. This writes the same SpreadsheetML with inline strings,
one formatted string per cell, into a deflate stream, a few times faster with flat memory.
Empty cells are left out (cells carry their reference), so sparse rows stay small.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 does not allow (tab, newline and carriage return are fine).
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, value: str) -> str:
    value = escape(INVALID_XML.sub("", value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


TEXT_OPEN = '<c t="inlineStr"><is><t xml:space="preserve">'
TEXT_CLOSE = "</t></is></c>"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xml_text(value: str) -> str:
    return escape(INVALID_XML.sub("", value))


def row_xml(values: list, text_columns: set[int]) -> str:
    """One `<row>` without cell references (cells follow one another; `<c/>` is an empty cell)."""
    cells = ["<row>"]
    for i, value in enumerate(values):
        if value is None or value == "":
            cells.append("<c/>")
        elif i in text_columns or isinstance(value, str):
            cells.append(f"{TEXT_OPEN}{_xml_text(str(value))}{TEXT_CLOSE}")
        else:
            cells.append(f"<c><v>{value}</v></c>")
    cells.append("</row>")
    return "".join(cells)


def _inert(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class Cells(dict):
    """CSV cell -> `<c>` XML of a number (or empty) cell, remembered: codes repeat endlessly."""

    def __missing__(self, cell: str) -> str:
        xml = f"<c><v>{cell}</v></c>" if cell else "<c/>"
        if len(self) < 50_000:
            self[cell] = xml
        return xml


def rows_xml(
    items, plan, data_texts: list[int], text_columns: set[int], cells_xml: Cells | None = None
) -> str:
    """The `<row>`s of a chunk of export items (app.exports.rows.Item).

    From an export row (CSV cells joined by SEP): number cells become XML through a dict of the
    cells seen before (a C-level map), only text cells are handled one by one (CSV quotes undone,
    XML-escaped).
    """
    from app.surveys.wide import SEP

    cells_xml = cells_xml if cells_xml is not None else Cells()
    lookup = cells_xml.__getitem__
    rows = []
    orgs: dict = {}
    for rid, version, day, organisation, line, values in items:
        if line is None:
            meta = [str(rid), version] + ([day, organisation] if plan.with_org else [])
            rows.append(row_xml([_inert(v) for v in meta + values], text_columns))
            continue
        cells = line.split(SEP)
        out = list(map(lookup, cells))
        for j in data_texts:
            cell = cells[j]
            if cell:
                if cell[0] == '"':
                    cell = cell[1:-1].replace('""', '"')
                out[j] = TEXT_OPEN + _xml_text(cell) + TEXT_CLOSE
        if plan.with_org:
            org = orgs.get(organisation)
            if org is None:
                org = orgs[organisation] = (
                    TEXT_OPEN + _xml_text(_inert(organisation)) + TEXT_CLOSE if organisation else "<c/>"
                )
            day_xml = f"{TEXT_OPEN}{day}{TEXT_CLOSE}" if day else "<c/>"
            meta = f"<row>{TEXT_OPEN}{rid}{TEXT_CLOSE}<c><v>{version}</v></c>{day_xml}{org}"
        else:
            meta = f"<row>{TEXT_OPEN}{rid}{TEXT_CLOSE}<c><v>{version}</v></c>"
        rows.append(meta + "".join(out) + "</row>")
    return "".join(rows)


def _write_in_thread(raw, pieces: Iterable[bytes]) -> None:
    """Write `pieces` to `raw` from a second thread: deflate and CRC release the GIL, so the
    compression (a third of an XLSX export) runs beside the making of the next rows."""
    todo: queue.Queue = queue.Queue(maxsize=2)
    failed: list[BaseException] = []

    def work():
        while (piece := todo.get()) is not None:
            if not failed:
                try:
                    raw.write(piece)
                except BaseException as error:  # handed to the caller's thread
                    failed.append(error)

    worker = threading.Thread(target=work, name="xlsx-deflate", daemon=True)
    worker.start()
    try:
        for piece in pieces:
            if failed:
                break
            todo.put(piece)
    finally:
        todo.put(None)
        worker.join()
    if failed:
        raise failed[0]


def _sheet(zf: zipfile.ZipFile, name: str, rows: Iterable, text_columns: set[int] | None) -> None:
    """A worksheet; `text_columns` None: `rows` are ready `<row>` XML strings (`rows_xml`)."""
    with zf.open(name, "w", force_zip64=True) as raw:
        raw.write(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
        if text_columns is None:
            _write_in_thread(raw, (xml.encode("utf-8") for xml in rows))
            raw.write(b"</sheetData></worksheet>")
            return
        letters: list[str] = []
        parts: list[str] = []
        size = 0
        for r, row in enumerate(rows, start=1):
            if len(letters) < len(row):
                letters = [column_letter(i) for i in range(len(row))]
            cells = [f'<row r="{r}">']
            for i, value in enumerate(row):
                if value is None:
                    continue
                ref = f"{letters[i]}{r}"
                if i in text_columns or isinstance(value, str):
                    cells.append(_text_cell(ref, str(value)))
                else:
                    cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            cells.append("</row>")
            text = "".join(cells)
            parts.append(text)
            size += len(text)
            if size > 1 << 20:
                raw.write("".join(parts).encode("utf-8"))
                parts, size = [], 0
        parts.append("</sheetData></worksheet>")
        raw.write("".join(parts).encode("utf-8"))


def write_workbook(path: str, sheets: list[tuple[str, Iterable[list], set[int]]]) -> None:
    """Write `sheets` [(name, rows, indexes of text columns)] as an .xlsx file at `path`."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        zf.writestr(
            "[Content_Types].xml",
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'{HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_list = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _rows, _texts) in enumerate(sheets, start=1)
        )
        zf.writestr(
            "xl/workbook.xml",
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheet_list}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        styles_id = len(sheets) + 1
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{HEAD}<Relationships xmlns="{PKG_REL}">{rels}'
            f'<Relationship Id="rId{styles_id}" Type="{REL}/styles" Target="styles.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/styles.xml",
            f'{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font>'
            '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
            '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
            '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles></styleSheet>',
        )
        for i, (_name, rows, texts) in enumerate(sheets, start=1):
            _sheet(zf, f"xl/worksheets/sheet{i}.xml", rows, texts)
