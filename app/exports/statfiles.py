"""Streaming writers for SPSS .sav and Stata .dta (format 118): rows in, constant memory.

pyreadstat (ReadStat) only writes a whole data frame, so an export's memory grew with the number
of responses. These writers take the chunks of `app.exports.rows.iter_items` instead:

1. the chunks are spooled to a temporary file (marshal, one record per chunk) while the longest
   text per string column is measured (both formats need the string widths in the header);
2. the header is written, then every spooled row is converted and packed with one `struct` call.

SAV follows PSPP's "System File Format" description (uncompressed, as pyreadstat wrote it):
header, variable records (strings over 255 bytes as 252-byte segments, record 7/14), value
labels (records 3/4), machine info (7/3 with UTF-8, 7/4), display (7/11), long names (7/13),
encoding (7/20), case count (7/16). Missing numbers are SYSMIS; user-missing codes are discrete
missing values of the variable. Empty strings are blanks.

DTA follows Stata's "dta" format 118 description: header, map, variable types, names, sort list,
formats, value-label names, variable labels, characteristics, data, strLs, value labels. Coded
columns are `long` (as pyreadstat wrote them), other numbers `double`; texts are `str#` up to
2045 bytes, else `strL` (GSO blocks spooled to a second temporary file while the data is written).
Missing numbers are Stata's system missing `.`.
"""

from __future__ import annotations

import marshal
import shutil
import struct
import tempfile
import time
from collections.abc import Iterable
from operator import itemgetter

from app.exports.rows import Item, Plan
from app.exports.schema import Column
from app.surveys.wide import SEP, text_value

SAV_SYSMIS = -1.7976931348623157e308  # -DBL_MAX
SAV_HIGHEST = 1.7976931348623157e308
SAV_LOWEST = struct.unpack("<d", bytes.fromhex("feffffffffffefff"))[0]  # next after -DBL_MAX
SAV_MAX_STRING = 32767
DTA_MISSING_DOUBLE = 2.0**1023  # Stata's "."
DTA_MISSING_LONG = 2147483621
DTA_STR_MAX = 2045
DTA_STRL = 32768
DTA_DOUBLE = 65526
DTA_LONG = 65528
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def cut_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 (file formats count bytes, not characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def is_coded(col: Column) -> bool:
    """Integer codes (multiple choice, ranking, labelled answers, the version) rather than numbers."""
    return col.kind != "str" and (
        col.source in ("multi", "rank") or bool(col.value_labels) or col.name == "version"
    )


class Spool:
    """The chunks of an export in a temporary file, with the row count and, per text column, the
    longest value in UTF-8 bytes."""

    def __init__(self, plan: Plan, chunks: Iterable[list[Item]]):
        self.plan = plan
        self.file = tempfile.TemporaryFile(prefix="export-")  # noqa: SIM115 - closed in close()
        self.rows = 0
        columns = plan.columns
        self.widths = [0] * len(columns)
        meta = plan.meta
        data_texts = [j for j, c in enumerate(plan.data) if c.kind == "str"]
        widths = self.widths
        for items in chunks:
            marshal.dump(items, self.file)
            self.rows += len(items)
            if plan.with_org:
                for item in items:
                    for index, value in ((2, item[2]), (3, item[3])):
                        if value:
                            size = len(value.encode("utf-8"))
                            if size > widths[index]:
                                widths[index] = size
            for item in items:
                line = item[4]
                if line is not None:
                    cells = line.split(SEP)
                    texts = [(j, cells[j]) for j in data_texts if cells[j]]
                    texts = [(j, text_value(cell)) for j, cell in texts]
                else:
                    values = item[5]
                    texts = [(j, str(values[j])) for j in data_texts if values[j] not in (None, "")]
                for j, text in texts:
                    size = len(text) if text.isascii() else len(text.encode("utf-8"))
                    if size > widths[meta + j]:
                        widths[meta + j] = size

    def chunks(self):
        self.file.seek(0)
        while True:
            try:
                yield marshal.load(self.file)  # noqa: S302 - our own temporary file
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


class Converter:
    """Export items to the values of a row, in column order: numbers as float (coded columns as
    int when `ints`), `missing_num`/`missing_int` for no number, text as UTF-8 bytes (b"" for
    no answer).

    Per response the numeric cells go through two dicts of the cells seen before (coded and other
    numbers) with `map`, and one `itemgetter` puts meta, coded, numbers and texts in column order:
    no Python code per numeric cell. A cell not seen before is converted the careful way.
    """

    CACHE = 50_000

    def __init__(self, plan: Plan, *, ints: bool, missing_num, missing_int):
        self.plan = plan
        columns, meta = plan.columns, plan.meta
        self.ints = ints
        self.missing_num, self.missing_int = missing_num, missing_int
        data = plan.data
        self.coded = [j for j, c in enumerate(data) if is_coded(c)]
        self.nums = [j for j, c in enumerate(data) if c.kind != "str" and not is_coded(c)]
        self.texts = [j for j, c in enumerate(data) if c.kind == "str"]
        self.get_coded = _getter(self.coded)
        self.get_nums = _getter(self.nums)
        self.get_texts = _getter(self.texts)
        self.coded_cells = {"": missing_int}
        self.num_cells = {"": missing_num}
        # row = meta + coded + nums + texts; `order` puts it in column order
        position = {}
        for k in range(meta):
            position[k] = k
        for n, j in enumerate(self.coded + self.nums + self.texts):
            position[meta + j] = meta + n
        self.order = itemgetter(*[position[i] for i in range(len(columns))])

    def number(self, value, coded: bool):
        """One numeric cell (string cell or Python value) the careful way."""
        missing = self.missing_int if coded else self.missing_num
        if value is None or value == "":
            return missing
        try:
            number = float(value)
        except (TypeError, ValueError):
            return missing  # text in a numeric column (a version where the variable was text)
        if number != number or abs(number) == float("inf"):
            return missing
        if coded and self.ints:
            return int(number) if number.is_integer() and abs(number) < DTA_MISSING_LONG else missing
        return number

    def _fix(self, values: list, cells, coded: bool) -> list:
        cache = self.coded_cells if coded else self.num_cells
        for n, value in enumerate(values):
            if value is None:
                cell = cells[n]
                values[n] = number = self.number(cell, coded)
                plain = number not in (self.missing_int, self.missing_num)
                if plain and isinstance(cell, str) and len(cache) < self.CACHE:
                    cache[cell] = number
        return values

    def row(self, item: Item) -> tuple:
        plan = self.plan
        rid, version = item[0], item[1]
        meta = [float(rid), self.number(version, True)]
        if plan.with_org:
            meta.append((item[2] or "").encode("utf-8"))
            meta.append((item[3] or "").encode("utf-8"))
        line = item[4]
        if line is not None:
            cells = line.split(SEP)
            coded_cells, num_cells = self.get_coded(cells), self.get_nums(cells)
            try:
                coded = tuple(map(self.coded_cells.__getitem__, coded_cells))
                nums = tuple(map(self.num_cells.__getitem__, num_cells))
            except KeyError:  # a cell not seen before
                coded = tuple(self._fix(list(map(self.coded_cells.get, coded_cells)), coded_cells, True))
                nums = tuple(self._fix(list(map(self.num_cells.get, num_cells)), num_cells, False))
            texts = [text_value(c).encode("utf-8") if c else b"" for c in self.get_texts(cells)]
        else:
            values = item[5]
            coded = tuple(self.number(v, True) for v in self.get_coded(values))
            nums = tuple(self.number(v, False) for v in self.get_nums(values))
            texts = [b"" if v is None else str(v).encode("utf-8") for v in self.get_texts(values)]
        return self.order((*meta, *coded, *nums, *texts))


def _getter(indexes: list[int]):
    """A function: list -> tuple of the items at `indexes` (a tuple even for zero or one)."""
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        return lambda cells, i=indexes[0]: (cells[i],)
    return itemgetter(*indexes)


# --------------------------------------------------------------------------------------------
# SPSS .sav


def _sav_segments(width: int) -> list[int]:
    """Widths of the variable records of a string of `width` bytes (one unless over 255)."""
    if width <= 255:
        return [max(width, 1)]
    n = (width + 251) // 252
    return [255] * (n - 1) + [width - (n - 1) * 252]


def _slots(width: int) -> int:
    return (width + 7) // 8


def _padded(text: bytes, size: int, fill: bytes = b" ") -> bytes:
    return text + fill * (size - len(text))


def write_sav(path: str, plan: Plan, chunks: Iterable[list[Item]]) -> None:
    spool = Spool(plan, chunks)
    try:
        with open(path, "wb") as out:
            _write_sav(out, plan, spool)
    finally:
        spool.close()


def _sav_format(col: Column, width: int) -> int:
    if col.kind == "str":
        return (1 << 16) | (min(width, 255) << 8)  # A<width>
    decimals = 0 if is_coded(col) else 2
    return (5 << 16) | (8 << 8) | decimals  # F8.0 / F8.2


def _write_sav(out, plan: Plan, spool: Spool) -> None:
    columns = plan.columns
    widths = [
        min(max(w, 1), SAV_MAX_STRING) if c.kind == "str" else 0
        for c, w in zip(columns, spool.widths, strict=True)
    ]
    # the layout: per column its records (segments) and slots
    records = []  # (column index or None, short name, type, segment width)
    first_slot = []  # 1-based dictionary index of each column
    slot = 1
    counter = 0
    packs = []  # struct format of a row
    for index, col in enumerate(columns):
        first_slot.append(slot)
        if col.kind != "str":
            counter += 1
            records.append((index, f"V{counter}", 0, 0))
            slot += 1
            packs.append("d")
            continue
        segments = _sav_segments(widths[index])
        for n, seg in enumerate(segments):
            counter += 1
            records.append((index if n == 0 else None, f"V{counter}", seg, seg))
            slot += _slots(seg)  # a segment of 255 bytes takes 32 slots (256 bytes)
        packs.append(f"{_sav_row_bytes(widths[index])}s")
    case_size = slot - 1
    short = {}
    now = time.localtime()
    header = struct.pack(
        "<4s60siiiiid9s8s64s3s",
        b"$FL2",
        _padded(b"@(#) SPSS DATA FILE - WWWelzijn", 60),
        2,
        case_size,
        0,
        0,
        spool.rows,
        100.0,
        f"{now.tm_mday:02d} {MONTHS[now.tm_mon - 1]} {now.tm_year % 100:02d}".encode("ascii"),
        time.strftime("%H:%M:%S", now).encode("ascii"),
        b" " * 64,
        b"\0\0\0",
    )
    parts = [header]
    for index, name, typ, seg in records:
        col = columns[index] if index is not None else None
        label = cut_bytes(col.label, 255).encode("utf-8") if col is not None else b""
        missing = list(col.missing) if col is not None and col.kind != "str" else []
        if col is not None:
            fmt = _sav_format(col, widths[index])
            short[index] = name
        else:
            fmt = (1 << 16) | (seg << 8)
        parts.append(
            struct.pack(
                "<iiiiii8s", 2, typ, 1 if label else 0, len(missing), fmt, fmt, _padded(name.encode(), 8)
            )
        )
        if label:
            parts.append(struct.pack("<i", len(label)) + _padded(label, (len(label) + 3) // 4 * 4))
        for value in missing:
            parts.append(struct.pack("<d", float(value)))
        for _ in range(_slots(seg) - 1 if typ else 0):  # continuation records of a string
            parts.append(struct.pack("<iiiiii8s", 2, -1, 0, 0, 0x011D01, 0x011D01, b" " * 8))
    # value labels: one record pair per distinct label set
    sets: dict[tuple, list[int]] = {}
    for index, col in enumerate(columns):
        if col.value_labels and col.kind != "str":
            key = tuple(sorted((int(k), v) for k, v in col.value_labels.items()))
            sets.setdefault(key, []).append(first_slot[index])
    for labels, slots in sets.items():
        parts.append(struct.pack("<ii", 3, len(labels)))
        for code, text in labels:
            raw = cut_bytes(text or "", 120).encode("utf-8")
            parts.append(
                struct.pack("<dB", float(code), len(raw)) + _padded(raw, (len(raw) + 1 + 7) // 8 * 8 - 1)
            )
        parts.append(struct.pack(f"<ii{len(slots)}i", 4, len(slots), *slots))
    parts.append(struct.pack("<iiii8i", 7, 3, 4, 8, 20, 0, 0, -1, 1, 1, 2, 65001))
    parts.append(struct.pack("<iiii3d", 7, 4, 8, 3, SAV_SYSMIS, SAV_HIGHEST, SAV_LOWEST))
    display = []  # per record: measure (1 nominal, 3 scale), width, alignment (0 left, 1 right)
    for index, *_ in records:
        col = columns[index] if index is not None else None
        if col is None:  # a later segment of a long string
            display.append((1, 8, 0))
        else:
            measure = 3 if col.kind == "num" and not col.value_labels else 1
            display.append((measure, 8, 0 if col.kind == "str" else 1))
    parts.append(
        struct.pack(f"<iiii{3 * len(display)}i", 7, 11, 4, 3 * len(display), *[v for d in display for v in d])
    )
    names = "\t".join(f"{short[i]}={cut_bytes(c.name, 64)}" for i, c in enumerate(columns)).encode("utf-8")
    parts.append(struct.pack("<iiii", 7, 13, 1, len(names)) + names)
    long = b"".join(
        f"{short[i]}={widths[i]}".encode() + b"\0\t"
        for i, c in enumerate(columns)
        if c.kind == "str" and widths[i] > 255
    )
    if long:
        parts.append(struct.pack("<iiii", 7, 14, 1, len(long)) + long)
    parts.append(struct.pack("<iiii", 7, 20, 1, 5) + b"UTF-8")
    parts.append(struct.pack("<iiiiqq", 7, 16, 8, 2, 1, spool.rows))
    parts.append(struct.pack("<ii", 999, 0))
    out.write(b"".join(parts))

    # the cases
    row = struct.Struct("<" + "".join(packs))
    texts = [i for i, c in enumerate(columns) if c.kind == "str"]
    fill = {i: _sav_row_bytes(widths[i]) for i in texts}
    long_texts = {i for i in texts if widths[i] > 255}
    convert = Converter(plan, ints=False, missing_num=SAV_SYSMIS, missing_int=SAV_SYSMIS)
    pack, make = row.pack, convert.row
    for items in spool.chunks():
        buffer = []
        for item in items:
            values = list(make(item))
            for i in texts:
                value = values[i]
                if len(value) > SAV_MAX_STRING:
                    value = cut_bytes(value.decode("utf-8"), SAV_MAX_STRING).encode("utf-8")
                if i in long_texts and len(value) > 255:
                    pieces = [value[k : k + 255] for k in range(0, len(value), 255)]
                    value = b"".join(_padded(p, 256) for p in pieces[:-1]) + pieces[-1]
                values[i] = value.ljust(fill[i])
            buffer.append(pack(*values))
        out.write(b"".join(buffer))


def _sav_row_bytes(width: int) -> int:
    """Bytes a string of `width` takes in a case."""
    segments = _sav_segments(width)
    if len(segments) == 1:
        return _slots(segments[0]) * 8
    return (len(segments) - 1) * 256 + _slots(segments[-1]) * 8


# --------------------------------------------------------------------------------------------
# Stata .dta (format 118)


def write_dta(path: str, plan: Plan, chunks: Iterable[list[Item]], names: list[str]) -> None:
    """`names`: the Stata names of the columns (at most 32 bytes, unique)."""
    spool = Spool(plan, chunks)
    try:
        with open(path, "w+b") as out:
            _write_dta(out, plan, spool, names)
    finally:
        spool.close()


def _tag(name: str, body: bytes) -> bytes:
    return f"<{name}>".encode() + body + f"</{name}>".encode()


def _write_dta(out, plan: Plan, spool: Spool, names: list[str]) -> None:
    columns = plan.columns
    k = len(columns)
    types, formats, packs = [], [], []
    for col, width in zip(columns, spool.widths, strict=True):
        if col.kind == "str":
            if width > DTA_STR_MAX:
                types.append(DTA_STRL)
                packs.append("Q")
            else:
                types.append(max(width, 1))
                packs.append(f"{max(width, 1)}s")
            formats.append("%-9s")
        elif is_coded(col):
            types.append(DTA_LONG)
            packs.append("i")
            formats.append("%12.0g")
        else:
            types.append(DTA_DOUBLE)
            packs.append("d")
            formats.append("%10.0g")
    labelled = [i for i, c in enumerate(columns) if c.value_labels and c.kind != "str"]
    label_names = {i: names[i] for i in labelled}

    def fixed(text: str, size: int) -> bytes:
        return cut_bytes(text, size - 1).encode("utf-8").ljust(size, b"\0")

    now = time.localtime()
    stamp = f"{now.tm_mday:02d} {MONTHS[now.tm_mon - 1]} {now.tm_year} {now.tm_hour:02d}:{now.tm_min:02d}"
    stamp = stamp.encode("ascii")
    header = _tag(
        "header",
        _tag("release", b"118")
        + _tag("byteorder", b"LSF")
        + _tag("K", struct.pack("<H", k))
        + _tag("N", struct.pack("<Q", spool.rows))
        + _tag("label", struct.pack("<H", 0))
        + _tag("timestamp", struct.pack("<B", len(stamp)) + stamp),
    )
    offsets = [0] * 14
    out.write(b"<stata_dta>" + header)
    offsets[1] = out.tell()
    out.write(_tag("map", b"\0" * 8 * 14))  # filled in at the end
    sections = [
        ("variable_types", struct.pack(f"<{k}H", *types)),
        ("varnames", b"".join(fixed(n, 129) for n in names)),
        ("sortlist", b"\0\0" * (k + 1)),
        ("formats", b"".join(fixed(f, 57) for f in formats)),
        ("value_label_names", b"".join(fixed(label_names.get(i, ""), 129) for i in range(k))),
        ("variable_labels", b"".join(fixed(cut_bytes(c.label, 80), 321) for c in columns)),
        ("characteristics", b""),
    ]
    for n, (name, body) in enumerate(sections, start=2):
        offsets[n] = out.tell()
        out.write(_tag(name, body))
    offsets[9] = out.tell()
    out.write(b"<data>")
    row = struct.Struct("<" + "".join(packs))
    pack = row.pack
    strls = [i for i in range(k) if types[i] == DTA_STRL]
    convert = Converter(plan, ints=True, missing_num=DTA_MISSING_DOUBLE, missing_int=DTA_MISSING_LONG)
    make = convert.row
    gso = tempfile.TemporaryFile(prefix="export-strl-")  # noqa: SIM115 - closed below
    try:
        observation = 0
        for items in spool.chunks():
            buffer, blocks = [], []
            for item in items:
                observation += 1
                values = list(make(item))
                for i in strls:
                    value = values[i]
                    if value:
                        v = i + 1
                        blocks.append(
                            struct.pack("<3sIQBI", b"GSO", v, observation, 130, len(value) + 1)
                            + value
                            + b"\0"
                        )
                        values[i] = v | (observation << 16)
                    else:
                        values[i] = 0
                buffer.append(pack(*values))
            out.write(b"".join(buffer))
            if blocks:
                gso.write(b"".join(blocks))
        out.write(b"</data>")
        offsets[10] = out.tell()
        out.write(b"<strls>")
        gso.seek(0)
        shutil.copyfileobj(gso, out, 1024 * 1024)
        out.write(b"</strls>")
    finally:
        gso.close()
    offsets[11] = out.tell()
    out.write(b"<value_labels>")
    for i in labelled:
        labels = sorted(
            (int(code), cut_bytes(text or "", 32000)) for code, text in columns[i].value_labels.items()
        )
        texts, offs, pos = [], [], 0
        for _, text in labels:
            raw = text.encode("utf-8") + b"\0"
            offs.append(pos)
            texts.append(raw)
            pos += len(raw)
        n = len(labels)
        table = struct.pack(f"<ii{n}i{n}i", n, pos, *offs, *[code for code, _ in labels]) + b"".join(texts)
        out.write(_tag("lbl", struct.pack("<i", len(table)) + fixed(label_names[i], 129) + b"\0\0\0" + table))
    out.write(b"</value_labels>")
    offsets[12] = out.tell()
    out.write(b"</stata_dta>")
    offsets[13] = out.tell()
    out.seek(offsets[1] + len(b"<map>"))
    out.write(struct.pack("<14Q", *offsets))
