"""Summaries of the files a user uploads, taken in the kernel, for the model's context:
tables (csv, tsv, xlsx, json, parquet) with columns, types, row count and a few rows; images
with format, size and mode; PDFs and text with page or line count and first lines.

Sent to the kernel with the other helpers, so only the standard library is imported at the
top; pandas, pillow, pypdf and pyarrow are used when the kernel has them. A summary never
raises: a file that cannot be read (a binary file named .csv, a missing reader) gets a summary
whose `error` says why, in words the model can pass on.
"""

import csv
import io
import json
import os

try:  # in the package; in the kernel the bundle defines it above this file
    from .protected import secret_path_in
except ImportError:
    pass

MAX_SUMMARY_FILES = 20
SUMMARY_ROWS = 3
MAX_SUMMARY_COLUMNS = 40
MAX_CELL_CHARS = 60
MAX_TEXT_LINES = 8
MAX_LINE_CHARS = 200
SNIFF_BYTES = 64 * 1024
FULL_READ_BYTES = 20 * 1024 * 1024  # past this, types come from the first rows only
SAMPLE_ROWS = 1000
# GB18030 reads GBK and GB2312 too; Latin-1 last, for files that are text but none of these.
ENCODINGS = ("utf-8-sig", "gb18030", "big5", "shift_jis", "latin-1")
SEPARATORS = ",;\t|"

DELIMITED = (".csv", ".tsv", ".tab")
EXCEL = (".xlsx", ".xlsm", ".xls")
JSON_FILES = (".json", ".jsonl", ".ndjson")
PARQUET = (".parquet", ".pq")
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")
PDF = (".pdf",)


def summarise_files(paths, cwd=None):
    """A summary per path (relative to `cwd`, the notebook's folder), at most
    MAX_SUMMARY_FILES."""
    cwd = os.path.abspath(cwd or os.getcwd())
    return [summarise_file(path, cwd) for path in list(paths)[:MAX_SUMMARY_FILES]]


def summarise_file(path, cwd):
    """`{name, path, size, kind, ...}`; `kind` is table, image, pdf, text or unreadable."""
    summary = {"name": os.path.basename(path), "path": path, "kind": "unreadable"}
    full = os.path.realpath(os.path.join(cwd, path))
    if not (full == cwd or full.startswith(cwd.rstrip(os.sep) + os.sep)):
        return {**summary, "error": "it is outside the notebook's folder"}
    try:
        if _summary_protected(full, cwd):
            return {**summary, "error": "it is a protected file"}
        summary["size"] = os.path.getsize(full)
        summary.update(_summarise(full, path.lower()))
    except Exception as error:  # a summary never fails the turn
        summary.update(kind="unreadable", error=_reason(error))
    return summary


def _summary_protected(full, cwd):
    try:
        return secret_path_in(full, cwd) is not None
    except NameError:  # imported alone, outside the bundle
        return False


def _summarise(full, lower):
    if lower.endswith(DELIMITED):
        return _delimited(full, "\t" if lower.endswith((".tsv", ".tab")) else None)
    if lower.endswith(EXCEL):
        return _excel(full)
    if lower.endswith(JSON_FILES):
        return _json(full, lines=not lower.endswith(".json"))
    if lower.endswith(PARQUET):
        return _parquet(full)
    if lower.endswith(IMAGES):
        return _image(full)
    if lower.endswith(PDF):
        return _pdf(full)
    return _text(full)


# --- text ------------------------------------------------------------------------------------


def _read_head(full, size=SNIFF_BYTES):
    with open(full, "rb") as handle:
        return handle.read(size)


def _decode(head, complete):
    """`(text, encoding)` of the first bytes, or `(None, None)` for binary content."""
    if not head:
        return "", "utf-8"
    if b"\x00" in head:
        return None, None
    for encoding in ENCODINGS:
        # A head cut at the read limit may end inside a character: up to 3 bytes may go.
        for cut in (0,) if complete else (0, 1, 2, 3):
            try:
                text = head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            # Control characters decode in every encoding: they mark binary content.
            return (text, encoding) if _looks_like_text(text) else (None, None)
    return None, None


def _looks_like_text(text):
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f" or 0x7F <= ord(c) < 0xA0)
    return controls <= len(text) // 100


def _count_lines(full):
    count, last = 0, b"\n"
    with open(full, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last == b"\n" else 1)


def _first_lines(text, limit=MAX_TEXT_LINES):
    lines = text.splitlines()[:limit]
    return [line[:MAX_LINE_CHARS] for line in lines]


def _text(full):
    size = os.path.getsize(full)
    head = _read_head(full)
    text, encoding = _decode(head, complete=len(head) >= size)
    if text is None:
        return {"kind": "unreadable", "error": "its content is binary, not text"}
    return {
        "kind": "text",
        "encoding": encoding,
        "lines": _count_lines(full),
        "firstLines": _first_lines(text),
    }


# --- tables ----------------------------------------------------------------------------------


def _delimited(full, separator):
    size = os.path.getsize(full)
    head = _read_head(full)
    text, encoding = _decode(head, complete=len(head) >= size)
    if text is None:
        return {"kind": "unreadable", "error": "its content is binary, not delimited text"}
    if not text.strip():
        return {"kind": "table", "encoding": encoding, "columns": [], "rows": 0, "head": []}
    separator = separator or _separator(text)
    table = {"kind": "table", "encoding": encoding, "separator": separator}
    try:
        import pandas
    except ImportError:
        return {**table, **_delimited_plain(full, text, separator, encoding)}
    bad = []

    def skip(fields):  # a row with more fields than the header is counted and left out
        bad.append(fields)

    options = {
        "sep": separator,
        "encoding": encoding,
        "engine": "python",
        "on_bad_lines": skip,
        "index_col": False,  # else a longer row turns the first columns into an index
    }
    whole = size <= FULL_READ_BYTES
    frame = pandas.read_csv(full, **options, **({} if whole else {"nrows": SAMPLE_ROWS}))
    table.update(_frame(frame))
    if not whole:
        table.update(rows=max(_count_lines(full) - 1, 0), rowsEstimated=True)
    if bad:
        table["badRows"] = len(bad)
    return table


def _separator(text):
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {sep: first.count(sep) for sep in SEPARATORS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _delimited_plain(full, text, separator, encoding):
    """Without pandas: names and rows as strings, from the csv module."""
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    columns = rows[0] if rows else []
    return {
        "columns": [{"name": _cell(c), "type": "str"} for c in columns[:MAX_SUMMARY_COLUMNS]],
        "columnCount": len(columns),
        "rows": max(_count_lines(full) - 1, 0),
        "rowsEstimated": True,
        "head": [
            [_cell(v) for v in row[:MAX_SUMMARY_COLUMNS]] for row in rows[1 : 1 + SUMMARY_ROWS]
        ],
    }


def _frame(frame):
    """Columns (name and dtype), row count and first rows of a pandas DataFrame."""
    shown = frame.iloc[:, :MAX_SUMMARY_COLUMNS]
    head = shown.head(SUMMARY_ROWS)
    return {
        "columns": [
            {"name": _cell(name), "type": str(kind)} for name, kind in shown.dtypes.items()
        ],
        "columnCount": int(frame.shape[1]),
        "rows": int(frame.shape[0]),
        "head": [[_cell(value) for value in row] for row in head.itertuples(index=False)],
    }


def _cell(value):
    try:
        if value != value:  # NaN, NaT
            return ""
    except Exception:
        pass
    text = str(value).replace("\n", " ")
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _excel(full):
    try:
        import pandas
    except ImportError:
        return {"kind": "unreadable", "error": "pandas is not installed in the kernel"}
    try:
        book = pandas.ExcelFile(full)
    except ImportError as error:
        return {"kind": "unreadable", "error": _reason(error)}
    sheets = [str(name) for name in book.sheet_names]
    if not sheets:
        return {"kind": "table", "sheets": [], "columns": [], "rows": 0, "head": []}
    whole = os.path.getsize(full) <= FULL_READ_BYTES
    # A large workbook is read in part: the summary is asked for while the user waits.
    frame = pandas.read_excel(book, sheet_name=0, **({} if whole else {"nrows": SAMPLE_ROWS}))
    table = {"kind": "table", "sheets": sheets[:20], "sheet": sheets[0], **_frame(frame)}
    if not whole:
        table.update(rows=_sheet_rows(full, frame), rowsEstimated=True)
    return table


def _sheet_rows(full, frame):
    """The first sheet's data rows as its dimension says (openpyxl, read-only), else the rows
    read."""
    try:
        from openpyxl import load_workbook

        book = load_workbook(full, read_only=True)
        try:
            return max(int(book.worksheets[0].max_row or 0) - 1, len(frame))
        finally:
            book.close()
    except Exception:
        return len(frame)


def _json(full, lines):
    size = os.path.getsize(full)
    head = _read_head(full)
    text, encoding = _decode(head, complete=len(head) >= size)
    if text is None:
        return {"kind": "unreadable", "error": "its content is binary, not JSON"}
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None and size <= FULL_READ_BYTES:
        for as_lines in (lines, not lines):
            try:
                frame = pandas.read_json(full, lines=as_lines, encoding=encoding)
            except Exception:
                continue
            return {"kind": "table", "encoding": encoding, "jsonLines": as_lines, **_frame(frame)}
    return {
        "kind": "text",
        "encoding": encoding,
        "lines": _count_lines(full),
        "firstLines": _first_lines(text),
        "structure": _json_structure(full, encoding, size),
    }


def _json_structure(full, encoding, size):
    if size > FULL_READ_BYTES:
        return ""
    try:
        with open(full, encoding=encoding) as handle:
            value = json.load(handle)
    except Exception as error:
        return "not valid JSON: " + _reason(error)
    if isinstance(value, dict):
        return "an object with keys " + ", ".join(
            _cell(k) for k in list(value)[:MAX_SUMMARY_COLUMNS]
        )
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return "a single " + type(value).__name__


def _parquet(full):
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        return {"kind": "unreadable", "error": "pyarrow is not installed in the kernel"}
    handle = parquet.ParquetFile(full)
    schema = handle.schema_arrow
    columns = [{"name": _cell(f.name), "type": str(f.type)} for f in schema][:MAX_SUMMARY_COLUMNS]
    head = []
    for batch in handle.iter_batches(batch_size=SUMMARY_ROWS):
        rows = batch.to_pylist()
        head = [[_cell(row.get(c["name"])) for c in columns] for row in rows]
        break
    return {
        "kind": "table",
        "columns": columns,
        "columnCount": len(schema),
        "rows": int(handle.metadata.num_rows),
        "head": head,
    }


# --- images and PDFs -------------------------------------------------------------------------


def _image(full):
    try:
        from PIL import Image
    except ImportError:
        return {"kind": "unreadable", "error": "pillow is not installed in the kernel"}
    try:
        with Image.open(full) as image:
            width, height = image.size
            return {
                "kind": "image",
                "format": image.format or "",
                "width": int(width),
                "height": int(height),
                "mode": image.mode,
                "frames": int(getattr(image, "n_frames", 1) or 1),
            }
    except Exception as error:
        return {
            "kind": "unreadable",
            "error": "it is not an image pillow can open: " + _reason(error),
        }


def _pdf(full):
    try:
        from pypdf import PdfReader
    except ImportError:
        return {"kind": "unreadable", "error": "pypdf is not installed in the kernel"}
    try:
        reader = PdfReader(full)
        if reader.is_encrypted:
            return {"kind": "pdf", "pages": None, "encrypted": True, "firstLines": []}
        pages = len(reader.pages)
        lines = []
        for page in reader.pages[:3]:
            lines += [
                line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()
            ]
            if len(lines) >= MAX_TEXT_LINES:
                break
    except Exception as error:
        return {"kind": "unreadable", "error": "it is not a PDF pypdf can read: " + _reason(error)}
    return {
        "kind": "pdf",
        "pages": pages,
        "firstLines": [x[:MAX_LINE_CHARS] for x in lines[:MAX_TEXT_LINES]],
    }


def _reason(error):
    text = str(error).strip().splitlines()
    return (type(error).__name__ + (": " + text[0] if text else ""))[:MAX_LINE_CHARS]
