"""Runs inside a hub user's kernel (its source is sent as a cell): what a curious user tries
in order to find a model key or someone else's token. Prints one JSON report.

The secrets arrive reversed, so the cell's own text (in IPython's history, in the server's
memory) never holds one; ``probe`` turns them back before searching.
"""

import glob
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

LARGEST_FILE = 4 * 1024 * 1024


def probe(reversed_secrets, private_paths, hub_api, service_url, other_user):
    secrets = {name: value[::-1] for name, value in reversed_secrets.items()}
    hits = []

    def look(where, data):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        hits.extend(f"{name} in {where}" for name, value in secrets.items() if value in text)

    look("os.environ", repr(dict(os.environ)))
    look("/proc/self/environ", Path("/proc/self/environ").read_bytes())
    foreign_environs = []
    for pid_folder in glob.glob("/proc/[0-9]*"):
        for part in ("environ", "cmdline"):
            try:
                data = Path(pid_folder, part).read_bytes()
            except OSError:
                continue
            look(f"{pid_folder}/{part}", data)
            if part == "environ" and os.stat(pid_folder).st_uid != os.getuid():
                foreign_environs.append(pid_folder)

    from jupyter_core import paths

    folders = {Path.home(), Path(paths.jupyter_data_dir()), Path(paths.jupyter_runtime_dir())}
    folders.update(map(Path, paths.jupyter_config_path()))
    files_read = 0
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root, name)
                try:
                    if path.is_file() and path.stat().st_size <= LARGEST_FILE:
                        look(path, path.read_bytes())
                        files_read += 1
                except OSError:
                    continue

    readable_private = []
    for path in map(Path, private_paths):
        try:
            look(path, path.read_bytes() if path.is_file() else repr(os.listdir(path)))
            readable_private.append(str(path))
        except OSError:
            continue

    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    answers = {}
    for label, method, url in (
        ("hub services", "GET", f"{hub_api}/services"),
        ("hub service", "GET", f"{hub_api}/services/code-interpreter"),
        ("other user", "GET", f"{hub_api}/users/{other_user}"),
        ("other user's tokens", "GET", f"{hub_api}/users/{other_user}/tokens"),
        ("new token for other user", "POST", f"{hub_api}/users/{other_user}/tokens"),
        (
            "other user's server",
            "GET",
            f"{hub_api[: -len('/hub/api')]}/user/{other_user}/api/kernels",
        ),
        ("own usage", "GET", f"{service_url}usage?user={other_user}"),
        ("service status", "GET", f"{service_url}status"),
        ("admin usage", "GET", f"{service_url}admin/usage?user={other_user}"),
    ):
        data = b"{}" if method == "POST" else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        look(label, body)
        answers[label] = {"status": status, "body": body.decode("utf-8", "replace")[:2000]}

    print(
        json.dumps(
            {
                "uid": os.getuid(),
                "hits": hits,
                "files_read": files_read,
                "foreign_environs": foreign_environs,
                "readable_private": readable_private,
                "had_server_token": bool(token),
                "answers": answers,
            }
        )
    )
