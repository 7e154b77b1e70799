"""Make fonts/NotoSansCJK-Subset.ttf, the CJK font the kernel bootstrap registers with
matplotlib, from Debian's fonts-noto-cjk (Noto Sans CJK, SIL OFL 1.1).

    python scripts/subset_cjk_font.py [path/to/NotoSansCJK-Regular.ttc]

Without a path the .deb is fetched with `apt-get download` (Debian's mirrors are reachable
from every machine of this project) and unpacked in a temporary folder. The subset keeps
ASCII and Latin-1, CJK punctuation and full-width forms, GB2312 level 1 hanzi (3,755, the
common simplified characters), JIS X 0208 level 1 kanji and all kana, and the 2,350 hangul
syllables of KS X 1001: what chart titles and labels use, ~8,700 characters of the
font's 65,535 glyphs. Its outlines are converted from CFF to TrueType so every matplotlib
backend (Agg, PDF, PS, SVG) can embed it, and its family is renamed (a modified OFL font;
"Noto" is not a reserved name) so it never stands in for a full Noto Sans CJK a system has.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "fonts" / "NotoSansCJK-Subset.ttf"
FAMILY = "Noto Sans CJK SC Subset"
TTC = "usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_FACE = "Noto Sans CJK SC"
MAX_ERROR = 1.0  # font units (of 1000): cubic to quadratic curves, invisible at chart sizes


def characters() -> str:
    """The characters the subset keeps (see the module docstring)."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    ranges = [(0x3000, 0x303F), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF00, 0xFFEF)]
    for first, last in ranges:
        chars.update(chr(c) for c in range(first, last + 1))
    chars.update("—–‘’“”…·•※℃№→←↑↓")
    chars |= _double_byte("gb2312", range(0xB0, 0xD8))  # level 1: rows 16-55
    chars |= _double_byte("euc_jp", range(0xB0, 0xD0))  # level 1: rows 16-47
    chars |= _double_byte("euc_kr", range(0xB0, 0xC9))  # hangul: rows 16-40
    return "".join(sorted(chars))


def _double_byte(codec: str, rows: range) -> set[str]:
    found = set()
    for row in rows:
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes((row, cell)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


def source_font(ttc: Path) -> TTFont:
    for font in TTCollection(str(ttc)).fonts:
        if font["name"].getDebugName(1) == SC_FACE:
            return font
    raise SystemExit(f"{ttc} has no {SC_FACE} face")


def subset_font(font: TTFont, text: str) -> None:
    options = subset.Options()
    options.layout_features = ["*"]  # vertical forms, locl, kerning: small and harmless
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # CFF hints do not survive the conversion anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)


def cff_to_truetype(font: TTFont) -> None:
    """Quadratic outlines in `glyf`, as fontTools' otf2ttf snippet does."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs "
        "maxStackElements maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    maxp.recalc(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    names = font["name"]
    postscript = FAMILY.replace(" ", "") + "-Regular"
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            names.setName(
                FAMILY + " Regular", 4, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID == 6:
            names.setName(postscript, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(
                postscript + ";subset", 3, record.platformID, record.platEncID, record.langID
            )


def fetch_ttc(folder: Path) -> Path:
    subprocess.run(["apt-get", "download", "fonts-noto-cjk"], cwd=folder, check=True)
    deb = next(folder.glob("fonts-noto-cjk_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "x")], check=True)
    return folder / "x" / TTC


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ttc = Path(argv[0]) if argv else fetch_ttc(Path(tmp))
        font = source_font(ttc)
        subset_font(font, characters())
        cff_to_truetype(font)
        rename(font)
        TARGET.parent.mkdir(exist_ok=True)
        font.save(str(TARGET))
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
