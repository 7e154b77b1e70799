"""Request bodies our routes accept: size-limited before they are buffered, strict JSON.

`LimitedBody` is a mixin for tornado handlers decorated with `@web.stream_request_body`:
tornado reads a whole body into memory before the handler's method runs, so a size limit
checked there comes too late. Streaming lets `prepare` refuse a too-long Content-Length as
soon as the headers arrive, and `data_received` refuse a chunked body the moment it passes
the limit, without ever holding more than the limit.

`parse_json` is `json.loads` without its leniencies: only UTF-8 (json.loads also guesses
UTF-16 and UTF-32), no NaN or Infinity (JSON has neither; a browser's JSON.parse would then
fail on what we stored), and a body nested too deeply for the parser is an error of the
request, not a server crash (RecursionError).
"""

from __future__ import annotations

import json


class BodyError(ValueError):
    """A body we refuse; `message` says what is wrong with it (never quoting it)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class _NotFinite(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _NotFinite(name)


# One decoder for every call: json.loads(..., parse_constant=...) would build a new one each time.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def parse_json(raw: bytes) -> object:
    """The JSON value of `raw`, or `BodyError` saying why it is not acceptable JSON."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BodyError(f"it is not UTF-8 text (byte {err.start} is not valid UTF-8)") from None
    try:
        return _DECODER.decode(text)
    except _NotFinite as err:
        raise BodyError(f"it contains {err}, which JSON does not allow") from None
    except RecursionError:
        raise BodyError("it is nested too deeply") from None
    except json.JSONDecodeError as err:
        # `msg` names the problem and `pos` where, without quoting the input (it may be a key).
        raise BodyError(f"it is not valid JSON ({err.msg} at character {err.pos})") from None
    except ValueError as err:  # e.g. an integer with more digits than Python converts
        raise BodyError(f"it is not acceptable JSON ({err})") from None


def format_size(size: int) -> str:
    """`size` bytes for a message: whole MiB when it is one, else bytes."""
    mib = 1024 * 1024
    return f"{size // mib} MiB" if size >= mib and size % mib == 0 else f"{size} bytes"


class LimitedBody:
    """Mixin (before `APIHandler`) for handlers decorated with `@web.stream_request_body`.

    Subclasses give `body_limit()` and `refuse_body(error)` (which writes the error in their
    route's shape and finishes); their methods read the body with `take_body()`."""

    _body_parts: list[bytes]
    _body_size = 0

    def body_limit(self) -> int:
        raise NotImplementedError

    def refuse_body(self, error: BodyError) -> None:
        raise NotImplementedError

    async def prepare(self) -> None:
        await super().prepare()  # type: ignore[misc]
        self._body_parts = []
        if self._finished:  # type: ignore[attr-defined]
            return
        limit = self.body_limit()
        length = self.request.headers.get("Content-Length")  # type: ignore[attr-defined]
        if length is not None and length.isdigit() and int(length) > limit:
            self.refuse_body(_too_large(limit))
            # Answered: the connection closes once the answer is out (tornado does that when a
            # request finishes before its body was read). Past the server's own limit tornado
            # would also write a bare 400 after ours; the body is never read either way.
            self.request.connection.set_max_body_size(int(length))  # type: ignore[attr-defined]

    def data_received(self, chunk: bytes) -> None:
        if self._finished:  # type: ignore[attr-defined]
            return
        self._body_size += len(chunk)
        if self._body_size > self.body_limit():
            self._body_parts = []
            self.refuse_body(_too_large(self.body_limit()))
            return
        self._body_parts.append(chunk)

    def take_body(self) -> bytes:
        """The body received (also set as `request.body`, as without streaming)."""
        parts = self._body_parts
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        self._body_parts = []
        self.request.body = body  # type: ignore[attr-defined]
        return body


def _too_large(limit: int) -> BodyError:
    # Routes say what to do about it in their own words (they see status 413).
    return BodyError(f"the request body is larger than the limit of {format_size(limit)}", 413)
