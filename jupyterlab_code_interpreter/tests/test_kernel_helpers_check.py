"""The kernel helpers' `check` and `state`, imported in the test process with a real IPython
shell (the helpers use only the standard library and IPython)."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_code_interpreter.kernel_helpers import helpers


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


@pytest.fixture
def check(shell, tmp_path):
    def run(code):
        return helpers.check(code, cwd=str(tmp_path), shell=shell)

    return run


def categories(result):
    return [(f["category"], f["line"]) for f in result["findings"]]


@pytest.mark.parametrize(
    "code, line, text",
    [
        ("x = (1,\n", 1, "x = (1,"),
        ("\n\nimport os\nx = (", 4, "x = ("),
        ("!ls \\\n  -l\nx = (", 3, "x = ("),
        ("%%time\ny = 1\nx = (\n", 3, "x = ("),
        ("a = 1\nreturn a", 2, "return a"),
        ("if True:\nprint(1)", 2, "print(1)"),
    ],
)
def test_syntax_errors_name_lines_of_the_original_code(check, code, line, text):
    error = check(code)["syntaxError"]
    assert error["line"] == line and error["text"] == text
    assert error["message"] and isinstance(error["offset"], int)


@pytest.mark.parametrize(
    "code",
    [
        "%timeit x = 1",
        "%matplotlib inline\nimport matplotlib.pyplot as plt",
        "await __import__('asyncio').sleep(0)",
        "x = !ls",
        "df?",
        "import pandas as pd\ndf = pd.DataFrame({'a': [1]})\ndf.describe()",
    ],
)
def test_ipython_syntax_compiles(check, code):
    assert check(code)["syntaxError"] is None


@pytest.mark.parametrize(
    "code, packages",
    [
        ("!pip install qrcode", ["qrcode"]),
        ("%pip install -U pandas", ["pandas"]),
        ("pip install seaborn", ["seaborn"]),  # automagic, as IPython runs it
        ("%conda install -y -c conda-forge polars", ["polars"]),
        ("!python -m pip install --index-url https://x/simple a b", ["a", "b"]),
        ("import subprocess; subprocess.run(['pip', 'install', 'x'])", ["x"]),
        ("import os\nos.system('pip install qrcode[pil]')", ["qrcode[pil]"]),
        (
            "import sys, subprocess\n"
            "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'openpyxl'])",
            ["openpyxl"],
        ),
        ("%%bash\npip install wordcloud", ["wordcloud"]),
    ],
)
def test_installs_name_their_packages(check, code, packages):
    installs = [f for f in check(code)["findings"] if f["category"] == "install"]
    assert [f["packages"] for f in installs] == [packages]


def test_a_pure_install_is_not_also_a_shell_escape(check):
    assert categories(check("!pip install qrcode")) == [("install", 1)]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("!ls", [("shell", 1)]),
        ("files = !ls", [("shell", 1)]),
        ("%sx ls", [("shell", 1)]),
        ("import subprocess\nsubprocess.run('ls -l', shell=True)", [("shell", 2)]),
        ("import os\nos.popen(cmd)", [("shell", 2)]),
        ("%%bash\necho hi", [("shell", 1)]),
        ("!pip install a && curl http://x | sh", [("install", 1), ("network", 1), ("shell", 1)]),
    ],
)
def test_shell_escapes(check, code, expected):
    assert sorted(categories(check(code))) == sorted(expected)


@pytest.mark.parametrize(
    "code, line",
    [
        ("import os\nos.remove('/etc/passwd')", 2),
        ("from os import unlink\nunlink('../x.csv')", 2),
        ("import shutil\nshutil.rmtree('~')", 2),
        ("from pathlib import Path\nPath('/tmp/a').unlink()", 2),
        ("from pathlib import Path\nPath('/tmp') / 'a'\n(Path('/tmp') / 'a').unlink()", 3),
        ("import os\nfor f in names:\n    os.remove(f)", 3),  # only run time knows f
        ("import os\nos.remove(f'{folder}/x')", 2),
        ("!rm -rf /tmp/x", 1),
        ("%rm ../notes.txt", 1),
    ],
)
def test_deleting_outside_the_folder_or_an_unknown_path(check, code, line):
    assert ("delete_outside", line) in categories(check(code))


@pytest.mark.parametrize(
    "code",
    [
        "import os\nos.remove('local.csv')",
        "import os\npath = 'out/plot.png'\nos.remove(path)",
        "from pathlib import Path\nPath('a.txt').unlink()",
        "import shutil\nshutil.rmtree('build')",
    ],
)
def test_deleting_inside_the_folder_is_not_reported(check, code):
    assert check(code)["findings"] == []


@pytest.mark.parametrize(
    "code, line",
    [
        ("import requests\nurl = 'https://x'\nr = requests.get(url)", 3),
        ("import httpx\nhttpx.post('http://x', json={})", 2),
        ("from urllib.request import urlopen\nurlopen('http://a')", 2),
        ("import socket", 1),
        ("import pandas as pd\npd.read_csv('https://x/y.csv')", 2),
        ("!wget http://x/y.zip", 1),
    ],
)
def test_network_use(check, code, line):
    assert ("network", line) in categories(check(code))


def test_network_call_is_reported_once_at_the_call(check):
    result = check("import requests\n\nrequests.get('https://x')")
    assert categories(result) == [("network", 3)]
    assert "requests.get" in result["findings"][0]["detail"]


def test_strings_and_comments_that_look_like_commands_are_not_findings(check):
    code = "text = '!pip install x; os.remove(\"/etc/x\")'\n# !rm -rf /\nprint('https://x')"
    assert check(code)["findings"] == []


def test_names_bound_in_the_kernel_are_resolved(shell, check):
    import os

    shell.user_ns["operating_system"] = os
    try:
        assert categories(check("operating_system.remove('/etc/x')")) == [("delete_outside", 1)]
    finally:
        del shell.user_ns["operating_system"]


def test_check_never_runs_the_code(check, tmp_path):
    marker = tmp_path / "ran"
    check(f"open({str(marker)!r}, 'w').write('x')\n!touch {marker}")
    assert not marker.exists()


def test_state_lists_user_variables_packages_and_files(shell, tmp_path):
    import numpy as np
    import pandas as pd

    (tmp_path / "data.csv").write_text("a\n1\n")
    (tmp_path / ".hidden").write_text("")
    (tmp_path / "out").mkdir()
    shell.run_cell("import math\ndef helper(): pass\n_private = 1")
    shell.user_ns.update(df=pd.DataFrame({"a": [1, 2, 3]}), arr=np.zeros((2, 4)), items=[1, 2])
    state = helpers.state(shell=shell, cwd=str(tmp_path))
    found = {v["name"]: v for v in state["variables"]}
    assert found["df"] == {"name": "df", "type": "pandas.DataFrame", "shape": "(3, 1)"}
    assert found["arr"] == {"name": "arr", "type": "numpy.ndarray", "shape": "(2, 4)"}
    assert found["items"]["shape"] == "len=2"
    assert found["helper"]["type"] == "function"
    for hidden in ("math", "_private", "In", "Out", "exit", "quit", "get_ipython"):
        assert hidden not in found
    assert state["packages"]["numpy"] == np.__version__
    assert "seaborn" not in state["packages"] or state["packages"]["seaborn"]
    assert state["cwd"] == str(tmp_path)
    assert state["files"] == ["data.csv", "out/"]
    assert state["headers"] == {"data.csv": "a"}


def test_header_lines_quote_the_first_line_exactly_and_skip_what_is_not_text(tmp_path):
    (tmp_path / "employees.csv").write_text("Employee ID,Dept ,Annual Salary\r\n1,Sales,5\n")
    (tmp_path / "bom.csv").write_bytes("\ufeffa;b\n1;2\n".encode())
    (tmp_path / "readings.TSV").write_text("t\ttemp\n1\t2\n")
    (tmp_path / "binary.csv").write_bytes(b"PK\x03\x04\x00\x00")
    (tmp_path / "latin1.csv").write_bytes("caf\xe9,x\n".encode("latin-1"))
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(2000)) + "\n1\n")
    (tmp_path / "notes.txt").write_text("not a table\n")
    (tmp_path / "dir.csv").mkdir()
    names = helpers.files(str(tmp_path)) + ["gone.csv"]
    found = helpers.header_lines(str(tmp_path), names)
    assert found["employees.csv"] == "Employee ID,Dept ,Annual Salary"
    assert found["bom.csv"] == "a;b"
    assert found["readings.TSV"] == "t\ttemp"
    assert len(found["wide.csv"]) == helpers.MAX_HEADER_CHARS
    assert set(found) == {"employees.csv", "bom.csv", "readings.TSV", "wide.csv"}
    assert len(helpers.header_lines(str(tmp_path), names, limit=2)) == 2


def test_header_lines_skip_a_protected_folder(tmp_path):
    from jupyterlab_code_interpreter.kernel_helpers import protected

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "keys.csv").write_text("name,key\n")
    (tmp_path / "link.csv").symlink_to(keys / "keys.csv")
    protected.configure(paths=[str(keys)])
    try:
        assert helpers.header_lines(str(keys), ["keys.csv"]) == {}
        assert helpers.header_lines(str(tmp_path), ["link.csv"]) == {}
    finally:
        protected.configure()


def test_listing_describes_the_dataframes_and_their_columns(shell, tmp_path):
    import pandas as pd

    wide = pd.DataFrame([[0] * (helpers.MAX_COLUMNS + 5)])
    shell.user_ns.update(
        employees=pd.DataFrame({"Employee ID": [1, 2], "Dept ": ["a", "b"], 3: [0, 0]}),
        wide=wide,
        series=pd.Series([1]),
    )
    frames = {f["name"]: f for f in helpers.listing(str(tmp_path), shell=shell)["frames"]}
    assert frames["employees"] == {
        "name": "employees",
        "rows": 2,
        "columns": ["Employee ID", "Dept ", "3"],
    }
    # One more than the cap, so the browser can say the list goes on.
    assert len(frames["wide"]["columns"]) == helpers.MAX_COLUMNS + 1
    assert "series" not in frames
    for name in ("employees", "wide", "series"):
        del shell.user_ns[name]


def test_listing_names_the_folder_and_says_when_it_stopped_short(tmp_path, monkeypatch):
    (tmp_path / "b.csv").write_text("")
    (tmp_path / "A.png").write_text("")
    (tmp_path / ".hidden").write_text("")
    (tmp_path / "out").mkdir()
    listed = helpers.listing(str(tmp_path), shell=object())
    stamps = listed.pop("stamps")
    assert listed == {
        "cwd": str(tmp_path),
        "names": ["A.png", "b.csv", "out/"],
        "complete": True,
        "frames": [],
    }
    # Files have their size and time in microseconds; a folder has none.
    assert set(stamps) == {"A.png", "b.csv"}
    assert stamps["b.csv"] == [0, (tmp_path / "b.csv").stat().st_mtime_ns // 1000]
    monkeypatch.chdir(tmp_path)
    assert helpers.listing()["cwd"] == str(tmp_path)
    monkeypatch.setattr(helpers, "MAX_LISTING", 2)
    short = helpers.listing(str(tmp_path))
    assert short["names"] == ["A.png", "b.csv"]
    assert short["complete"] is False
    assert helpers.listing(str(tmp_path / "gone"), shell=object()) == {
        "cwd": str(tmp_path / "gone"),
        "names": [],
        "complete": True,
        "frames": [],
        "stamps": {},
    }


def test_state_caps_variables(shell):
    shell.user_ns.update({f"v{i}": i for i in range(helpers.MAX_VARIABLES + 10)})
    assert len(helpers.state(shell=shell)["variables"]) == helpers.MAX_VARIABLES
