"""`<base_url>/code-interpreter/conversations…`: the panel's chats, kept per notebook.

    GET    conversations?path=<notebook path>  {"id": …} of its conversation, {"id": null} if none
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
from traitlets import Int, Unicode
from traitlets.config import Configurable

from ..request_body import BodyError, LimitedBody, format_size, parse_json
from .files import ConversationError, ConversationFiles

SETTINGS_KEY = "code_interpreter_conversations"
LIMIT_KEY = "code_interpreter_conversations_max_body_bytes"


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
        # A notebook without a conversation yet is the usual case, not an error: a 404 here
        # would show as a failed request in the browser's console for every new notebook.
        self.finish(json.dumps({"id": self.files.find(path)}))


@web.stream_request_body
class ConversationHandler(LimitedBody, _ConversationHandler):
    """One conversation. A body past c.CodeInterpreterConversations.max_body_bytes is refused
    (413) before it is read."""

    def body_limit(self) -> int:
        return self.settings[LIMIT_KEY]

    def refuse_body(self, error: BodyError) -> None:
        if error.status == 413:
            limit = format_size(self.body_limit())
            self._error(
                413,
                f"This conversation is too large to save (the limit is {limit}); start a new "
                "chat. An administrator can raise c.CodeInterpreterConversations.max_body_bytes.",
            )
        else:
            self._error(
                400, f"The conversation could not be saved. The body must be JSON: {error.message}."
            )

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
        if self._finished:  # refused (413) while its body streamed in
            return
        try:
            record = parse_json(self.take_body())
            if isinstance(record, dict):
                record = {**record, "updated": datetime.now(timezone.utc).isoformat()}
            stored = self.files.put(conversation_id, record)
        except BodyError as error:
            self.refuse_body(error)
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

    max_body_bytes = Int(
        16 * 1024 * 1024,
        config=True,
        help=(
            "The largest conversation a save may send, in bytes (default 16 MiB). A chat is "
            "text, so this is far above a long one; a larger save is refused with 413 as soon "
            "as its Content-Length arrives, before it is read, so a runaway client cannot fill "
            "the server's memory or disk."
        ),
    )


def conversations_dir(server_app, config: CodeInterpreterConversations | None = None) -> Path:
    """The configured folder (`config`, else the server's `c.CodeInterpreterConversations`),
    else `<jupyter data dir>/code_interpreter/conversations`."""
    configured = (config or CodeInterpreterConversations(parent=server_app)).directory
    if configured:
        return Path(configured).expanduser()
    return Path(server_app.data_dir) / "code_interpreter" / "conversations"


def conversation_settings(server_app, config: CodeInterpreterConversations) -> dict[str, object]:
    """The web app settings the conversation handlers read: the store and the body limit."""
    return {
        SETTINGS_KEY: ConversationFiles(conversations_dir(server_app, config)),
        LIMIT_KEY: config.max_body_bytes,
    }


def conversation_handlers() -> list[tuple[str, type[APIHandler]]]:
    """The conversation routes, relative to the server's base URL."""
    base = url_path_join("code-interpreter", "conversations")
    return [
        (base, ConversationIndexHandler),
        (url_path_join(base, r"([^/]+)"), ConversationHandler),
    ]
