"""The server's own environment, attacked from a kernel as a non-root user would.

A real `jupyter server` runs as a non-root user (the tests run as root on CI machines, so as
`nobody` through setpriv; as the current user when it is not root) with a key in its
environment; a kernel it started (same user) tries to read the server's /proc/<pid>/environ.
With the protection (the default) it cannot, and the kernel can still read its own; without it
(`protect_server_process = False`) it can, which shows the test can fail.
"""

import json
import os
import pwd
import shutil
import site
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

KEY = "sk-process-guard-KEY-0123456789"
TIMEOUT = 60

PROBE = """
import json, os
server = os.getppid()
try:
    with open(f'/proc/{server}/environ', 'rb') as f:
        found = f.read().decode('utf-8', 'replace')
    attempt = {'read': True, 'key': 'OPENAI_API_KEY=' in found}
except OSError as err:
    attempt = {'read': False, 'error': err.strerror}
with open('/proc/self/environ', 'rb') as f:
    own = f.read().decode('utf-8', 'replace')
print(json.dumps({'uid': os.getuid(), 'server_pid': server, 'server': attempt,
                  'own_key': 'OPENAI_API_KEY=' in own, 'env_key': 'OPENAI_API_KEY' in os.environ}))
"""

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc and prctl are Linux only"
)


def as_other_user() -> tuple[list[str], int, int]:
    """The command prefix that runs a program as a non-root user, and that user's ids."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    setpriv = shutil.which("setpriv")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if setpriv is None or nobody is None:
        pytest.skip("running as root with no non-root user to test as (needs setpriv, nobody)")
    uid, gid = nobody.pw_uid, nobody.pw_gid
    return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups"], uid, gid


def python_for(prefix: list[str]) -> str:
    """An interpreter the other user can run with our packages (on PYTHONPATH): this one,
    unless it lives where that user cannot reach (e.g. a venv linked into /root)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, shutil.which(version), f"/usr/bin/{version}"]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": packages_path()}
    for candidate in filter(None, candidates):
        probe = [*prefix, "/bin/sh", "-c", 'exec "$0" -c "import ipykernel, jupyter_server"']
        if subprocess.run([*probe, candidate], env=env, capture_output=True).returncode == 0:
            return candidate
    pytest.skip(f"no Python with ipykernel that uid {os.getuid()}'s test user can run")


def packages_path() -> str:
    import jupyterlab_code_interpreter

    ours = str(Path(jupyterlab_code_interpreter.__file__).parent.parent)
    return os.pathsep.join([ours, *site.getsitepackages()])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_home():
    """A home folder the other user owns (pytest's tmp_path is root's, mode 0700)."""
    home = Path(tempfile.mkdtemp(prefix="code-interpreter-guard-"))
    yield home
    shutil.rmtree(home, ignore_errors=True)


def start_server(home: Path, protect: bool):
    prefix, uid, gid = as_other_user()
    for name in ("runtime", "data", "config"):
        (home / name).mkdir()
    config = {
        "ServerApp": {"jpserver_extensions": {"jupyterlab_code_interpreter": True}},
        "CodeInterpreter": {"protect_server_process": protect},
    }
    (home / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
    for path in [home, *home.rglob("*")]:
        os.chown(path, uid, gid)
    port, token = free_port(), "guard-test-token"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "PYTHONPATH": packages_path(),
        "OPENAI_API_KEY": KEY,
    }
    command = [
        *prefix,
        python_for(prefix),
        "-m",
        "jupyter_server",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={home}",
    ]
    log = open(home / "server.log", "wb")  # noqa: SIM115 (closed by the fixture's owner)
    process = subprocess.Popen(command, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}", token, log


def api(base, token, path, method="GET"):
    request = urllib.request.Request(
        f"{base}/{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    if method == "POST":
        request.data = b"{}"
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def wait_until_up(process, base, token, home):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {(home / 'server.log').read_text()}")
        try:
            return api(base, token, "api/status")
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not start: {(home / 'server.log').read_text()}")


def run_in_kernel(connection_file: Path) -> dict:
    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=TIMEOUT)
        printed = []

        def collect(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = client.execute_interactive(PROBE, output_hook=collect, timeout=TIMEOUT)
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return json.loads("".join(printed))


@pytest.mark.parametrize("protect", [True, False], ids=["protected", "unprotected"])
def test_a_kernel_cannot_read_the_server_environment(server_home, protect):
    process, base, token, log = start_server(server_home, protect)
    try:
        wait_until_up(process, base, token, server_home)
        kernel = api(base, token, "api/kernels", method="POST")
        connection_file = server_home / "runtime" / f"kernel-{kernel['id']}.json"
        found = run_in_kernel(connection_file)
        # A non-dumpable server still restarts its kernels (signals need no ptrace access).
        api(base, token, f"api/kernels/{kernel['id']}/restart", method="POST")
        assert run_in_kernel(connection_file) == found
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    server_log = (server_home / "server.log").read_text()

    assert found["uid"] != 0
    assert found["server_pid"] == process.pid
    # The kernel holds no key, and can read its own /proc/self/environ (exec made it dumpable).
    assert found["own_key"] is False and found["env_key"] is False
    if protect:
        assert found["server"] == {"read": False, "error": "Permission denied"}
        assert "its process is marked non-dumpable" in server_log
    else:
        assert found["server"] == {"read": True, "key": True}
        assert "is NOT marked non-dumpable" in server_log
    assert KEY not in server_log
