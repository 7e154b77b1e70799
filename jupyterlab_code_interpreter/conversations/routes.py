"""`<base_url>/code-interpreter/conversations…`: the panel's chats, kept per notebook.

    GET    conversations?path=<notebook path>  {"id": …} of its conversation, or 404
    GET    conversations/<id>                  the record {"revision", "path", "updated", "data"}
    PUT    conversations/<id>                  store a record (204; 409 if a newer one is stored)
    DELETE conversations/<id>                  forget it (204, or 404)

Authenticated like every Jupyter route, with the XSRF check on PUT and DELETE.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Unicode
from traitlets.config import Configurable

from .files import ConversationError, ConversationFiles

SETTINGS_KEY = "code_interpreter_conversations"
# A chat is text; this is far above a long one and stops a runaway client filling the disk.
MAX_BODY_BYTES = 32 * 1024 * 1024


class _ConversationHandler(APIHandler):
    auth_resource = "code-interpreter"

    @property
    def files(self) -> ConversationFiles:
        return self.settings[SETTINGS_KEY]

    def _error(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(json.dumps({"message": message}))


class ConversationIndexHandler(_ConversationHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        path = self.get_query_argument("path", None)
        if path is None:
            self._error(400, "Say which notebook: ?path=<its path>.")
            return
        found = self.files.find(path)
        if found is None:
            self._error(404, "This notebook has no saved conversation.")
            return
        self.finish(json.dumps({"id": found}))


class ConversationHandler(_ConversationHandler):
    @web.authenticated
    @authorized
    async def get(self, conversation_id: str) -> None:
        try:
            record = self.files.get(conversation_id)
        except ConversationError as error:
            self._error(400, str(error))
            return
        if record is None:
            self._error(404, "No conversation with this id is saved.")
            return
        self.finish(json.dumps(record, ensure_ascii=False))

    @web.authenticated
    @authorized
    async def put(self, conversation_id: str) -> None:
        if len(self.request.body) > MAX_BODY_BYTES:
            self._error(413, "This conversation is too large to save; start a new chat.")
            return
        try:
            record = json.loads(self.request.body or b"")
            if isinstance(record, dict):
                record = {**record, "updated": datetime.now(timezone.utc).isoformat()}
            stored = self.files.put(conversation_id, record)
        except json.JSONDecodeError:
            self._error(400, "The body must be JSON.")
            return
        except ConversationError as error:
            self._error(400, str(error))
            return
        if not stored:
            self._error(409, "A newer version of this conversation is already saved.")
            return
        self.set_status(204)
        self.finish()

    @web.authenticated
    @authorized
    async def delete(self, conversation_id: str) -> None:
        try:
            found = self.files.delete(conversation_id)
        except ConversationError as error:
            self._error(400, str(error))
            return
        self.set_status(204 if found else 404)
        self.finish()


class CodeInterpreterConversations(Configurable):
    """Where the panel's conversations are kept."""

    directory = Unicode(
        "",
        config=True,
        help=(
            "The folder holding one JSON file per conversation (created 0700). Empty: "
            "<Jupyter data dir>/code_interpreter/conversations, per user like JupyterLab's "
            "own state."
        ),
    )


def conversations_dir(server_app) -> Path:
    """The configured folder, else `<jupyter data dir>/code_interpreter/conversations`."""
    configured = CodeInterpreterConversations(parent=server_app).directory
    if configured:
        return Path(configured).expanduser()
    return Path(server_app.data_dir) / "code_interpreter" / "conversations"


def setup_conversation_routes(server_app) -> None:
    """Register the conversation routes on the running server."""
    web_app = server_app.web_app
    web_app.settings[SETTINGS_KEY] = ConversationFiles(conversations_dir(server_app))
    base = url_path_join(web_app.settings["base_url"], "code-interpreter", "conversations")
    web_app.add_handlers(
        ".*$",
        [
            (base, ConversationIndexHandler),
            (url_path_join(base, r"([^/]+)"), ConversationHandler),
        ],
    )
