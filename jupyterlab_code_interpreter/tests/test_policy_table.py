"""The code policy, snippet by snippet: what each cell must be found to be (its set of finding
categories, or none). Written the way a model makes mistakes and the way a hostile prompt
hides them: aliases, computed names, strings run as code, getattr on modules, renamed imports,
get_ipython aliases, writes outside the folder, key reads through every door. Honest analysis
code must stay free of findings, or `auto-safe` would ask about everything.

The helpers run in the test process with a real IPython shell, as `test_kernel_helpers_check`
does; the protected names and paths are configured as the server's bootstrap does.
"""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyterlab_code_interpreter.kernel_helpers import helpers, protected

RUNTIME = "/srv/jupyter/runtime"
KEYS = "/srv/jupyter/data/code_interpreter/keys"
SETTINGS = "/srv/jupyter/config/lab/user-settings/jupyterlab-code-interpreter"
KEY_FILE = "/etc/team/model.key"

INS, SH, CH, NET, DYN, SEC = "install", "shell", "delete_outside", "network", "dynamic", "secrets"

TABLE = [
    # --- dynamic: strings run as code ---------------------------------------------------------
    ("exec(code_from_model)", {DYN}),
    ("result = eval(expression)", {DYN}),
    ("compiled = compile(source, 'cell', 'exec')", {DYN}),
    ("exec('imp' + 'ort os')", {DYN}),
    ("exec(open('step.py').read())", {DYN}),
    ("exec(\"import os\\nos.system('ls')\")", {SH}),  # a literal is read like the cell
    ("code = \"__import__('subprocess').run(['ls'])\"\nexec(code)", {SH}),
    ("exec('def (')", {DYN}),
    # --- dynamic: computed imports and attributes, the module table ---------------------------
    ("module = __import__(name)", {DYN}),
    ("import importlib\nm = importlib.import_module('o' + 's')", {DYN}),
    ("__import__('os').system('id')", {SH}),  # a literal import is followed
    ("import os\ngetattr(os, 'sys' + 'tem')('id')", {DYN}),
    ("import os\nrun = getattr(os, 'system')\nrun('id')", {DYN, SH}),
    ("import os\nsetattr(os, attribute, None)", {DYN}),
    ("import sys\nsys.modules['os'].system('ls')", {DYN, SH}),
    ("import os\nos.__dict__['system']('ls')", {DYN}),
    ("import os\nvars(os)['remove']('notes.txt')", {DYN}),
    ("globals()[name]()", {DYN}),
    ("import ctypes\nctypes.CDLL(None).system(b'id')", {DYN, SH}),
    ("from ctypes import CDLL", {DYN}),
    # --- dynamic: aliases of dangerous callables and modules ----------------------------------
    ("import subprocess\nf = subprocess.run\nf(['ls'])", {DYN, SH}),
    ("from os import system as s\ns('ls')", {DYN, SH}),
    ("from shutil import rmtree as tidy\ntidy('build')", {DYN}),
    ("import requests\nr = requests\nr.get('https://example.com')", {DYN, NET}),
    ("import os\nlist(map(os.remove, files))", {DYN}),
    ("evaluate = eval\nevaluate('1 + 1')", {DYN}),
    ("from subprocess import *\nrun(['ls'])", {DYN}),
    ("import os\nos.system.__call__('id')", {DYN}),
    ("import os\nos.__getattribute__('environ')", {DYN}),
    ("helper.__globals__['os'].system('id')", {DYN, SH}),
    ("().__class__.__base__.__subclasses__()", {DYN}),
    ("import base64\nexec(base64.b64decode(payload))", {DYN}),
    ("import functools, os\nfunctools.partial(os.system, 'id')()", {DYN}),
    ("import importlib, os\nimportlib.reload(os)", {DYN}),
    ("import os\nfns = [os.system]\nfns[0]('id')", {DYN}),
    # --- dynamic: IPython's shell, directly or through an alias -------------------------------
    ("get_ipython().system(command)", {DYN, SH}),
    ("ip = get_ipython()\nip.run_cell(code)", {DYN}),
    ("ip = get_ipython()\nip.system('rm -rf ~/old')", {SH, CH}),
    ("g = get_ipython\ng().getoutput('ls')", {SH}),
    ("get_ipython().run_cell(\"import subprocess; subprocess.run(['ls'])\")", {SH}),
    ("get_ipython().run_line_magic(magic, argument)", {DYN}),
    ("shell = shells[0]\nshell.system('ls')", {SH}),
    ("runner = get_ipython().system\nrunner('ls')", {DYN, SH}),
    ("%run helper.py", {DYN}),
    # --- changes outside the notebook's folder ------------------------------------------------
    ("import shutil\nshutil.move('data.csv', '/tmp/data.csv')", {CH}),
    ("import shutil\nshutil.copy('a.csv', '../backup/a.csv')", {CH}),
    ("import os\nos.rename('a.txt', '/etc/a.txt')", {CH}),
    ("import os\nos.replace('/home/ada/.bashrc', 'bashrc.bak')", {CH}),
    ("open('/etc/hosts', 'a').write('1.2.3.4 example.com')", {CH}),
    ("import os\nwith open(os.path.expanduser('~/.bashrc'), 'w') as f:\n    f.write('')", {CH}),
    ("from pathlib import Path\nPath('/tmp/out.txt').write_text('x')", {CH}),
    ("from pathlib import Path\n(Path.home() / name).write_bytes(b'')", {CH}),
    ("import os\nos.truncate('/var/log/app.log', 0)", {CH}),
    ("open(f'/tmp/{name}.csv', 'w')", {CH}),
    ("open('../' + name, 'x')", {CH}),
    ("df.to_csv('/tmp/out.csv')", {CH}),
    ("import os\nimport matplotlib.pyplot as plt\nplt.savefig(os.path.join('/tmp', name))", {CH}),
    ("from pathlib import Path\nPath('notes.txt').rename('/tmp/notes.txt')", {CH}),
    ("import tempfile, os\nopen(os.path.join(tempfile.gettempdir(), 'x'), 'w')", {CH}),
    ("open('/tmp/x', mode)", {CH}),  # a mode only run time knows might write
    ("!mv results.csv /tmp/", {SH, CH}),
    ("!echo done > /tmp/flag", {SH, CH}),
    ("%%writefile /tmp/job.py\nprint(1)", {CH}),
    ("import os\nos.chdir('/tmp')", {CH}),  # later relative writes would land there
    ("import os\nos.remove('/etc/passwd')", {CH}),
    # --- secrets: key variables and the environment -------------------------------------------
    ("import os\nprint(os.environ['OPENAI_API_KEY'])", {SEC}),
    ("import os\nkey = os.getenv('AZURE_OPENAI_API_KEY')", {SEC}),
    ("import os\nos.environ.get('TEAM_MODEL_CREDENTIAL')", {SEC}),
    ("import os\nos.environ.get('GITHUB_TOKEN', '')", {SEC}),  # named like a credential
    ("import os\nsnapshot = dict(os.environ)", {SEC}),
    ("import os\nprint(os.environ)", {SEC}),
    ("import os\nfor k, v in os.environ.items():\n    print(k, v)", {SEC}),
    ("import os\nsaved = os.environ.copy()", {SEC}),
    ("from os import environ as e\ne['OPENAI_API_KEY']", {SEC}),
    ("from os import getenv\ngetenv(name)", {SEC}),
    ("import os\nkey = 'OPENAI_' + 'API_KEY'\nos.environ[key]", {SEC}),
    ("import os\nread = os.getenv\nread('OPENAI_API_KEY')", {SEC}),
    ("import os\nlookup = os.environ.get\nlookup('OPENAI_API_KEY')", {SEC}),
    ("import os\ngetattr(os, 'environ')['OPENAI_API_KEY']", {SEC}),
    ("print(__import__('os').environ['OPENAI_API_KEY'])", {SEC}),
    ("import os\nprint(os.popen('echo $OPENAI_API_KEY').read())", {SH, SEC}),
    ("%env OPENAI_API_KEY", {SEC}),
    ("%env", {SEC}),
    ("!echo $OPENAI_API_KEY", {SH, SEC}),
    ("!env", {SH, SEC}),
    ("import subprocess\nsubprocess.run(['printenv'])", {SH, SEC}),
    # --- secrets: protected files and folders -------------------------------------------------
    ("open('/proc/self/environ').read()", {SEC}),
    ("open(f'/proc/{pid}/environ', 'rb').read()", {SEC}),
    ("import subprocess\nsubprocess.run(['cat', '/proc/1/environ'])", {SH, SEC}),
    (
        "from jupyter_core.paths import jupyter_runtime_dir\nimport os\n"
        "os.listdir(jupyter_runtime_dir())",
        {SEC},
    ),  # fmt: skip
    (
        "from jupyter_server.serverapp import list_running_servers\nlist(list_running_servers())",
        {SEC},
    ),  # fmt: skip
    (f"import glob\nglob.glob('{RUNTIME}/jpserver-*.json')", {SEC}),
    (f"open('{KEYS}/openai').read()", {SEC}),
    (f"open('{SETTINGS}/plugin.jupyterlab-settings').read()", {SEC}),
    (f"open('{SETTINGS}/plugin.jupyterlab-settings', 'w').write('{{}}')", {SEC, CH}),
    (f"print(open('{KEY_FILE}').read())", {SEC}),
    ("import os\nos.listdir(os.path.join(data_dir, 'code_interpreter', 'keys'))", {SEC}),
    (f"!cat {RUNTIME}/jpserver-1.json", {SH, SEC}),
    # --- the categories that were there before, for completeness ------------------------------
    ("!pip install qrcode", {INS}),
    ("import requests\nrequests.get('https://example.com')", {NET}),
    ("!ls -la", {SH}),
    # --- honest analysis code: no finding -----------------------------------------------------
    ("import pandas as pd\ndf = pd.read_csv('data.csv')\ndf.head()", set()),
    ("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('x')\nplt.show()", set()),
    ("df.to_csv('out.csv', index=False)", set()),
    ("with open('result.txt', 'w') as f:\n    f.write('ok')", set()),
    ("import os\npath = os.path.join(os.getcwd(), 'out', 'plot.png')\nplt.savefig(path)", set()),
    ("import os\nos.makedirs('out', exist_ok=True)\nprint(os.path.join('out', 'a.csv'))", set()),
    ("class Point:\n    x = 1\n\np = Point()\ngetattr(p, 'x', None)", set()),
    ("getattr(df, column)", set()),  # a computed attribute of a value, not of a module
    ("import json\njson.loads('{\"a\": 1}')", set()),
    ("import os\nprint(os.getcwd())", set()),
    ("for name in names:\n    open(name + '.txt', 'w').write('x')", set()),
    ("import os\nhome = os.environ.get('HOME')\nbackend = os.getenv('MPLBACKEND')", set()),
    ("import os\nif 'OPENAI_API_KEY' in os.environ:\n    print('configured')", set()),
    ("import os\nos.environ['MPLBACKEND'] = 'Agg'", set()),
    ("total = eval('1 + 2')", set()),
    ("with open('/dev/null', 'w') as sink:\n    print('quiet', file=sink)", set()),
    ("%%writefile helper.py\nprint(1)", set()),
    ("import numpy as np\nnp.save('arr.npy', np.zeros(3))", set()),
    (
        "from pathlib import Path\nPath('out').mkdir(exist_ok=True)\n"
        "(Path('out') / 'a.txt').write_text('x')",
        set(),
    ),  # fmt: skip
    ("label = 'a-b'.replace('-', '_')", set()),
    ("import platform\nprint(platform.system())", set()),
    ("import qrcode\nimg = qrcode.make('https://example.com')\nimg.save('qr.png')", set()),
    ("from PIL import Image\nim = Image.open('in.png').convert('L')\nim.save('out.png')", set()),
    ("import numpy as np\nmean = getattr(np, 'mean')\nmean([1, 2])", set()),
    ("import re\npattern = re.compile(r'\\d+')", set()),
    ("import sqlite3\ncon = sqlite3.connect('data.db')\ncon.execute('select 1')", set()),
    ("%matplotlib inline\nimport seaborn as sns", set()),
    # the demos: visualise a CSV, a QR code, an image, a database query
    (
        "import pandas as pd\nimport matplotlib.pyplot as plt\n"
        "plt.rcParams['font.sans-serif'] = ['Noto Sans CJK SC', 'SimHei']\n"
        "df = pd.read_csv('sales.csv')\ntop = df.groupby('region')['amount'].sum().nlargest(5)\n"
        "top.plot(kind='bar', title='Top 5')\nplt.savefig('top5.png', dpi=150)\nplt.show()",
        set(),
    ),
    (
        "from PIL import Image, ImageOps\nim = Image.open('photo.jpg')\n"
        "small = im.resize((im.width // 2, im.height // 2))\n"
        "ImageOps.grayscale(small).save('photo_small_gray.png')",
        set(),
    ),
    (
        "import sqlalchemy as sa\nengine = sa.create_engine(connection_url)\n"
        "with engine.connect() as conn:\n"
        "    df = pd.read_sql('select name, total from orders order by total desc limit 5', conn)",
        set(),
    ),
    (
        "import json\nwith open('config.json') as f:\n    cfg = json.load(f)\n"
        "with open('config.json', 'w') as f:\n    json.dump(cfg, f, indent=2)",
        set(),
    ),
    ("import io\nbuf = io.BytesIO()\nplt.savefig(buf, format='png')", set()),
    (
        "from pathlib import Path\nout = Path('results')\nout.mkdir(exist_ok=True)\n"
        "for i, chunk in enumerate(chunks):\n    chunk.to_csv(out / f'part_{i}.csv')",
        set(),
    ),
    (
        "import subprocess\ntry:\n    pass\nexcept subprocess.CalledProcessError as error:\n"
        "    print(error)",
        set(),
    ),
    ("%timeit sum(range(10))", set()),
]


@pytest.fixture(scope="module")
def shell():
    return InteractiveShell.instance()


@pytest.fixture(scope="module", autouse=True)
def server_protected():
    """What the server's bootstrap would configure, then the defaults again."""
    protected.configure(env=["TEAM_MODEL_CREDENTIAL"], paths=[RUNTIME, KEYS, SETTINGS, KEY_FILE])
    yield
    protected.configure()


def categories_of(code, shell, folder):
    return {f["category"] for f in helpers.check(code, cwd=str(folder), shell=shell)["findings"]}


def test_the_table_is_large_and_covers_every_category():
    assert len(TABLE) >= 60
    found = set().union(*(expected for _, expected in TABLE))
    assert found == {INS, SH, CH, NET, DYN, SEC}
    assert sum(1 for _, expected in TABLE if not expected) >= 20


@pytest.mark.parametrize("code, expected", TABLE, ids=[c for c, _ in TABLE])
def test_each_snippet_is_found_to_be_what_it_is(code, expected, shell, tmp_path):
    result = helpers.check(code, cwd=str(tmp_path), shell=shell)
    assert result["syntaxError"] is None, result
    assert {f["category"] for f in result["findings"]} == expected, result["findings"]


def test_findings_say_what_and_where(shell, tmp_path):
    result = helpers.check(
        "import os\n\nprint(os.environ['OPENAI_API_KEY'])", cwd=str(tmp_path), shell=shell
    )
    [finding] = result["findings"]
    assert finding["line"] == 3
    assert "OPENAI_API_KEY" in finding["detail"]


def test_a_write_into_the_notebooks_folder_by_absolute_path_is_not_outside(shell, tmp_path):
    code = f"open({str(tmp_path / 'out.csv')!r}, 'w')\nopen(f'{tmp_path}/{{name}}.csv', 'w')"
    assert categories_of(code, shell, tmp_path) == set()


def test_the_kernels_own_jupyter_folders_are_protected_without_the_server(shell, tmp_path):
    from jupyter_core.paths import jupyter_runtime_dir

    protected.configure()  # defaults only: what a kernel checked on its own knows
    try:
        code = f"import os\nos.listdir({jupyter_runtime_dir()!r})"
        assert categories_of(code, shell, tmp_path) == {SEC}
        assert categories_of("import os\nos.environ['OPENAI_API_KEY']", shell, tmp_path) == {SEC}
        assert categories_of("import os\nos.environ['TEAM_MODEL_CREDENTIAL']", shell, tmp_path) == {
            SEC
        }  # named like a credential
        assert categories_of("import os\nos.environ['TEAM_MODEL']", shell, tmp_path) == set()
    finally:
        protected.configure(
            env=["TEAM_MODEL_CREDENTIAL"], paths=[RUNTIME, KEYS, SETTINGS, KEY_FILE]
        )


def test_a_configured_name_is_protected_whatever_it_is_called(shell, tmp_path):
    assert categories_of("import os\nos.environ['LLM_GATE']", shell, tmp_path) == set()
    protected.configure(env=["LLM_GATE"], paths=[RUNTIME])
    try:
        assert categories_of("import os\nos.environ['LLM_GATE']", shell, tmp_path) == {SEC}
    finally:
        protected.configure(
            env=["TEAM_MODEL_CREDENTIAL"], paths=[RUNTIME, KEYS, SETTINGS, KEY_FILE]
        )
