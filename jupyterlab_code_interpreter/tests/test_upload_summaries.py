"""The summaries of uploaded files (kernel_helpers/summaries.py) on real files made here:
encodings, separators, bad rows, a binary file named .csv, spreadsheets, parquet, JSON,
images, PDFs, text; and the same summaries through the served bundle in a real kernel."""

import base64
import json
import struct
import zlib

import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle, summaries
from jupyterlab_code_interpreter.kernel_helpers.summaries import (
    MAX_CELL_CHARS,
    SUMMARY_ROWS,
    summarise_file,
    summarise_files,
)


def summary(folder, name):
    return summarise_file(name, str(folder))


def names(table):
    return [column["name"] for column in table["columns"]]


def test_utf8_csv_has_columns_types_rows_and_head(tmp_path):
    (tmp_path / "sales.csv").write_text(
        "city,amount,date\nParis,3.5,2024-01-01\nLyon,4,2024-01-02\n"
    )
    result = summary(tmp_path, "sales.csv")
    assert result["kind"] == "table"
    assert result["separator"] == ","
    assert names(result) == ["city", "amount", "date"]
    assert result["columns"][0]["type"] in ("object", "str")  # pandas 3 names strings "str"
    assert result["columns"][1]["type"] == "float64"
    assert result["rows"] == 2
    assert result["head"][0] == ["Paris", "3.5", "2024-01-01"]
    assert result["size"] == (tmp_path / "sales.csv").stat().st_size


def test_gbk_csv_is_read_with_its_encoding(tmp_path):
    (tmp_path / "销售.csv").write_bytes("城市,销售额\n北京,100\n上海,200\n".encode("gbk"))
    result = summary(tmp_path, "销售.csv")
    assert result["kind"] == "table"
    assert result["encoding"] == "gb18030"
    assert names(result) == ["城市", "销售额"]
    assert result["head"][0] == ["北京", "100"]
    assert result["rows"] == 2


def test_semicolon_csv_names_its_separator(tmp_path):
    (tmp_path / "eu.csv").write_text("date;product;price\n2024-01-01;tea;3,5\n2024-01-02;cake;4\n")
    result = summary(tmp_path, "eu.csv")
    assert result["separator"] == ";"
    assert names(result) == ["date", "product", "price"]
    assert result["rows"] == 2


def test_tsv_is_tab_separated(tmp_path):
    (tmp_path / "t.tsv").write_text("a\tb\n1\t2\n")
    result = summary(tmp_path, "t.tsv")
    assert result["separator"] == "\t"
    assert names(result) == ["a", "b"]


def test_bad_rows_are_counted_not_fatal(tmp_path):
    rows = "a,b\n1,2\n3,4,5,6\n7,8\n"
    (tmp_path / "bad.csv").write_text(rows)
    result = summary(tmp_path, "bad.csv")
    assert result["kind"] == "table"
    assert result["rows"] == 2
    assert result["badRows"] == 1


def test_binary_file_named_csv_says_it_could_not_be_read(tmp_path):
    (tmp_path / "fake.csv").write_bytes(bytes(range(256)) * 40)
    result = summary(tmp_path, "fake.csv")
    assert result["kind"] == "unreadable"
    assert "binary" in result["error"]


def test_binary_without_nul_bytes_is_not_taken_for_latin1_text(tmp_path):
    (tmp_path / "noise.csv").write_bytes(bytes(range(1, 32)) * 200)
    assert summary(tmp_path, "noise.csv")["kind"] == "unreadable"


def test_long_cells_and_many_rows_are_capped(tmp_path):
    lines = ["id,text"] + [f"{i},{'x' * 500}" for i in range(100)]
    (tmp_path / "long.csv").write_text("\n".join(lines) + "\n")
    result = summary(tmp_path, "long.csv")
    assert result["rows"] == 100
    assert len(result["head"]) == SUMMARY_ROWS
    assert all(len(cell) <= MAX_CELL_CHARS for row in result["head"] for cell in row)


def test_xlsx_lists_sheets_and_first_sheet(tmp_path):
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    with pandas.ExcelWriter(tmp_path / "book.xlsx") as writer:
        pandas.DataFrame({"name": ["a", "b", "c"], "score": [1, 2, 3]}).to_excel(
            writer, sheet_name="scores", index=False
        )
        pandas.DataFrame({"x": [1]}).to_excel(writer, sheet_name="other", index=False)
    result = summary(tmp_path, "book.xlsx")
    assert result["kind"] == "table"
    assert result["sheets"] == ["scores", "other"]
    assert names(result) == ["name", "score"]
    assert result["columns"][1]["type"] == "int64"
    assert result["rows"] == 3


def test_large_xlsx_is_read_in_part_with_its_row_count(tmp_path, monkeypatch):
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    pandas.DataFrame({"n": range(50)}).to_excel(tmp_path / "big.xlsx", index=False)
    monkeypatch.setattr(summaries, "FULL_READ_BYTES", 10)
    monkeypatch.setattr(summaries, "SAMPLE_ROWS", 5)
    result = summary(tmp_path, "big.xlsx")
    assert result["rows"] == 50 and result["rowsEstimated"] is True
    assert names(result) == ["n"]


def test_large_csv_types_come_from_the_first_rows_and_rows_are_counted(tmp_path, monkeypatch):
    (tmp_path / "big.csv").write_text("a,b\n" + "".join(f"{i},x\n" for i in range(40)))
    monkeypatch.setattr(summaries, "FULL_READ_BYTES", 10)
    monkeypatch.setattr(summaries, "SAMPLE_ROWS", 5)
    result = summary(tmp_path, "big.csv")
    assert result["rows"] == 40 and result["rowsEstimated"] is True


def test_json_records_and_lines(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]))
    (tmp_path / "r.jsonl").write_text('{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    records = summary(tmp_path, "r.json")
    assert records["kind"] == "table" and names(records) == ["a", "b"] and records["rows"] == 2
    lines = summary(tmp_path, "r.jsonl")
    assert lines["kind"] == "table" and lines["rows"] == 3


def test_json_that_is_no_table_is_described(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"name": "x", "nested": {"deep": [1, 2]}, "n": 3}))
    result = summary(tmp_path, "c.json")
    assert result["kind"] in ("table", "text")
    if result["kind"] == "text":
        assert "keys" in result["structure"]


def test_parquet_schema_rows_and_head(tmp_path):
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pandas.DataFrame({"k": [1, 2, 3, 4], "v": ["a", "b", "c", "d"]}).to_parquet(
        tmp_path / "p.parquet"
    )
    result = summary(tmp_path, "p.parquet")
    assert result["kind"] == "table"
    assert names(result) == ["k", "v"]
    assert result["rows"] == 4
    assert result["head"][0] == ["1", "a"]


def png_bytes(width, height):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_png_has_format_size_and_mode(tmp_path):
    pytest.importorskip("PIL")
    (tmp_path / "red.png").write_bytes(png_bytes(7, 5))
    result = summary(tmp_path, "red.png")
    assert result == {
        **result,
        "kind": "image",
        "format": "PNG",
        "width": 7,
        "height": 5,
        "mode": "RGB",
    }


def test_broken_image_is_unreadable_with_reason(tmp_path):
    pytest.importorskip("PIL")
    (tmp_path / "broken.png").write_bytes(b"not a png at all")
    result = summary(tmp_path, "broken.png")
    assert result["kind"] == "unreadable"
    assert "image" in result["error"]


def test_pdf_has_pages_and_first_lines(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_blank_page(width=200, height=200)
    with open(tmp_path / "two.pdf", "wb") as handle:
        writer.write(handle)
    result = summary(tmp_path, "two.pdf")
    assert result["kind"] == "pdf"
    assert result["pages"] == 2
    assert result["firstLines"] == []


def pdf_with_text(lines):
    """A one-page PDF whose page shows `lines` in Helvetica, written by hand."""
    text = " ".join(f"({line}) Tj 0 -14 Td" for line in lines)
    stream = f"BT /F1 12 Tf 20 180 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_first_lines_are_its_text(tmp_path):
    pytest.importorskip("pypdf")
    (tmp_path / "report.pdf").write_bytes(pdf_with_text(["Annual report 2024", "Sales rose"]))
    result = summary(tmp_path, "report.pdf")
    assert result["kind"] == "pdf"
    assert result["pages"] == 1
    assert result["firstLines"][:2] == ["Annual report 2024", "Sales rose"]


def test_text_file_has_line_count_and_first_lines(tmp_path):
    (tmp_path / "notes.md").write_text("# Title\n\nfirst\nsecond\n")
    result = summary(tmp_path, "notes.md")
    assert result["kind"] == "text"
    assert result["lines"] == 4
    assert result["firstLines"][:3] == ["# Title", "", "first"]


def test_paths_outside_the_folder_are_refused(tmp_path):
    inside = tmp_path / "nb"
    inside.mkdir()
    (tmp_path / "secret.csv").write_text("a\n1\n")
    result = summarise_file("../secret.csv", str(inside))
    assert result["kind"] == "unreadable"
    assert "outside" in result["error"]


def test_missing_file_is_a_summary_not_an_exception(tmp_path):
    [result] = summarise_files(["gone.csv"], str(tmp_path))
    assert result["kind"] == "unreadable"
    assert "FileNotFoundError" in result["error"]


def test_uploads_subfolder_paths_keep_their_path(tmp_path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "d.csv").write_text("x\n1\n")
    [result] = summarise_files(["uploads/d.csv"], str(tmp_path))
    assert result["name"] == "d.csv" and result["path"] == "uploads/d.csv"
    assert result["kind"] == "table"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    (folder / "gbk.csv").write_bytes("名称;数量\n苹果;3\n".encode("gbk"))
    (folder / "fake.csv").write_bytes(b"\x00\x01\x02" * 100)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_summaries_through_the_bundle_in_a_real_kernel(kernel):
    encoded = base64.b64encode(json.dumps(["gbk.csv", "fake.csv"]).encode()).decode()
    kernel.execute(
        helpers_bundle()["bootstrap"],
        silent=True,
        store_history=False,
        user_expressions={"s": f'__code_interpreter__.summaries_reply("{encoded}")'},
    )
    reply = kernel.get_shell_msg(timeout=60)["content"]
    assert reply["status"] == "ok", reply
    result = reply["user_expressions"]["s"]
    assert result["status"] == "ok", result
    gbk, fake = result["data"]["application/json"]
    assert gbk["kind"] == "table" and names(gbk) == ["名称", "数量"] and gbk["separator"] == ";"
    assert fake["kind"] == "unreadable"
