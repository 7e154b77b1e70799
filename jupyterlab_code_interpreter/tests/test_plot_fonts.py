"""Chinese, Japanese and Korean in a real kernel's plots after the helpers' bootstrap: the
shipped CJK font (fonts/) is registered with matplotlib as a fallback family after the default,
so a chart titled 销售额 with Japanese and Korean labels renders with no missing-glyph warning,
and its image differs from the boxes matplotlib draws without the font."""

import hashlib
import json
from pathlib import Path

import matplotlib
import pytest
from jupyter_client.manager import start_new_kernel

from jupyterlab_code_interpreter.kernel_helpers import helpers_bundle, shipped_font_paths

TIMEOUT = 60
FAMILY = "Noto Sans CJK SC Subset"
PLOT = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 3), dpi=60)
ax.bar(["東京", "서울", "北京"], [3, 2, 4])
ax.set_title("销售额")
ax.set_xlabel("売上高（都市）")
ax.set_ylabel("매출 합계")
fig.savefig({path!r})
plt.close(fig)
"""


def start(folder, fonts=None, before=""):
    """A kernel in `folder`, bootstrapped as the browser does (after running `before`)."""
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(folder))
    if before:
        run(client, before)
    run(client, helpers_bundle(font_paths=fonts)["bootstrap"], silent=True)
    return manager, client


def stop(manager, client):
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code, silent=False):
    """Run `code`; its stream output (where a kernel's warnings show), as one string."""
    texts = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            texts.append(msg["content"]["text"])

    reply = client.execute_interactive(code, silent=silent, timeout=TIMEOUT, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(texts)


def value(client, expression):
    """`expression`'s value, as JSON on the first line (warnings may follow it)."""
    printed = run(client, f"import json as _j; print(_j.dumps({expression}))")
    return json.loads(printed.splitlines()[0])


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """One kernel with the shipped font, one bootstrapped without any (the tofu rendering)."""
    folder = tmp_path_factory.mktemp("plots")
    with_font = start(folder)
    without = start(folder, fonts=[])
    try:
        yield folder, with_font[1], without[1]
    finally:
        stop(*with_font)
        stop(*without)


def test_the_font_ships_with_the_package_and_its_licence():
    paths = shipped_font_paths()
    assert [Path(p).name for p in paths] == ["NotoSansCJK-Subset.ttf"]
    folder = Path(paths[0]).parent
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text()
    assert Path(paths[0]).stat().st_size < 5_000_000  # a subset, not the 19.5 MB collection


def test_the_wheel_carries_the_font_inside_the_package():
    """A wheel has no source tree beside the package: pyproject copies fonts/ into it, where
    `shipped_font_paths` looks first."""
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    section = pyproject.split("[tool.hatch.build.targets.wheel.force-include]", 1)[1]
    assert '"fonts" = "jupyterlab_code_interpreter/fonts"' in section.split("[", 1)[0]


def test_matplotlib_is_not_imported_by_the_bootstrap(kernels):
    _, client, _ = kernels
    assert value(client, "'matplotlib' in __import__('sys').modules") is False


def test_cjk_titles_and_labels_render_without_missing_glyphs(kernels):
    folder, client, tofu = kernels
    rendered = run(client, PLOT.format(path="cjk.png"))
    assert "missing from font" not in rendered, rendered
    # The same plot without the font warns for every glyph: the check above can fail.
    boxes = run(tofu, PLOT.format(path="tofu.png"))
    assert "Glyph" in boxes and "missing from font" in boxes, boxes
    assert (folder / "cjk.png").read_bytes() != (folder / "tofu.png").read_bytes()


def test_the_font_is_a_fallback_after_the_default_family(kernels):
    _, client, _ = kernels
    families = value(client, "list(matplotlib.rcParams['font.family'])")
    assert families == ["sans-serif", FAMILY]
    # Latin text keeps the default font; only CJK glyphs fall back.
    default = value(
        client, "matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties())"
    )
    assert "DejaVuSans" in default


@pytest.mark.parametrize(
    "reset",
    [
        "plt.style.use('seaborn-v0_8-whitegrid')",
        "matplotlib.rcdefaults()",
        "matplotlib.rcParams['font.family'] = 'serif'",
        "matplotlib.rcParams.update({'font.family': ['monospace']})",
        # What the system prompt tells the model to do for CJK labels (prompts/system.md).
        "plt.rcParams['font.sans-serif'] = ['Noto Sans CJK SC', 'SimHei', 'DejaVu Sans']\n"
        "plt.rcParams['axes.unicode_minus'] = False",
    ],
)
def test_the_fallback_survives_styles_and_resets(kernels, reset):
    folder, client, _ = kernels
    run(client, f"import matplotlib, matplotlib.pyplot as plt\n{reset}")
    try:
        assert value(client, "list(matplotlib.rcParams['font.family'])")[-1] == FAMILY
        rendered = run(client, PLOT.format(path="styled.png"))
        assert "missing from font" not in rendered, rendered
        assert "findfont" not in rendered, rendered
    finally:
        run(client, "matplotlib.rcdefaults()")


def test_glyphs_are_drawn_not_boxes(kernels):
    """Three different characters drawn one by one with the font are three different images
    with ink; without it they are the same missing-glyph box three times."""
    _, client, tofu = kernels
    code = (
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "from matplotlib.figure import Figure\n"
        "import hashlib as _h\n"
        "def _glyph(char):\n"
        "    fig = Figure(figsize=(1, 1), dpi=50)\n"
        "    FigureCanvasAgg(fig)\n"
        "    fig.text(0.1, 0.1, char, fontsize=30)\n"
        "    fig.canvas.draw()\n"
        "    pixels = bytes(fig.canvas.buffer_rgba())\n"
        "    return [_h.sha256(pixels).hexdigest(), sum(255 - b for b in pixels[::4])]\n"
    )
    run(client, code)
    run(tofu, code)
    drawn = value(client, "[_glyph(c) for c in '销售额']")
    boxes = value(tofu, "[_glyph(c) for c in '销售额']")
    assert len({digest for digest, _ in boxes}) == 1  # the same box three times
    assert len({digest for digest, _ in drawn}) == 3
    assert all(ink > 0 for _, ink in drawn)


def test_a_kernel_that_imported_matplotlib_first_gets_the_font_too(tmp_path):
    manager, client = start(tmp_path, before="import matplotlib.pyplot")
    try:
        assert FAMILY in value(client, "list(matplotlib.rcParams['font.family'])")
        rendered = run(client, PLOT.format(path="early.png"))
        assert "missing from font" not in rendered, rendered
    finally:
        stop(manager, client)


def test_a_reinstall_registers_the_font_once(tmp_path):
    manager, client = start(tmp_path)
    try:
        run(client, helpers_bundle()["bootstrap"], silent=True)
        run(client, "import matplotlib, matplotlib.font_manager as fm")
        run(client, helpers_bundle()["bootstrap"], silent=True)
        families = value(client, "list(matplotlib.rcParams['font.family'])")
        assert families.count(FAMILY) == 1
        entries = value(client, f"[f.name for f in fm.fontManager.ttflist if f.name == {FAMILY!r}]")
        assert entries == [FAMILY]
        hooks = value(client, "[type(f).__name__ for f in __import__('sys').meta_path]")
        assert "_AfterImport" not in hooks
    finally:
        stop(manager, client)


def test_nothing_is_written_into_matplotlib_or_its_rc_file(kernels):
    """The registration lives in the kernel's memory: matplotlibrc and the installed package
    are as they were."""
    _, client, _ = kernels
    rc = Path(matplotlib.matplotlib_fname())
    before = hashlib.sha256(rc.read_bytes()).hexdigest()
    run(client, PLOT.format(path="again.png"))
    assert hashlib.sha256(rc.read_bytes()).hexdigest() == before
    package = Path(matplotlib.__file__).parent
    assert not list(package.rglob("*CJK*"))
