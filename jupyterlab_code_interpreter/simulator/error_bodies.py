"""Error bodies in each service's own shape, so clients' error parsing meets the real thing.

OpenAI: ``{"error": {"message", "type", "param", "code"}}``.
Azure OpenAI: ``{"error": {"code", "message"}}`` with ``code`` a string.
"""

from __future__ import annotations

_AZURE_CODES = {
    400: "BadRequest",
    401: "401",
    403: "Forbidden",
    404: "404",
    408: "Timeout",
    429: "429",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_OPENAI_TYPES = {401: "invalid_request_error", 429: "requests"}


def mask_key(key: str) -> str:
    """Show only the ends of a key, as OpenAI does, so logs never hold a usable secret."""
    if len(key) < 12:
        return "*" * len(key)
    return f"{key[:3]}{'*' * (len(key) - 7)}{key[-4:]}"


def generic(api: str, status: int, message: str, code: str | None = None) -> dict:
    """Any error status in the given API's shape."""
    if api == "azure":
        return {
            "error": {"code": code or _AZURE_CODES.get(status, str(status)), "message": message}
        }
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def bad_key(api: str, key: str | None) -> dict:
    if api == "azure":
        return generic(
            api,
            401,
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API "
            "endpoint for your resource.",
        )
    if not key:
        return generic(
            api,
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    return generic(
        api,
        401,
        f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def rate_limited(api: str, name: str, retry_after: int, api_version: str | None) -> dict:
    if api == "azure":
        return generic(
            api,
            429,
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
            f"{api_version} have exceeded call rate limit of your current OpenAI S0 pricing "
            f"tier. Please retry after {retry_after} seconds. Please go here: "
            "https://aka.ms/oai/quotaincrease if you would like to further increase the "
            "default rate limit.",
        )
    return generic(
        api,
        429,
        f"Rate limit reached for {name} in organization org-simulator on requests per min "
        f"(RPM). Please try again in {retry_after}s.",
        code="rate_limit_exceeded",
    )


def resource_not_found() -> dict:
    return generic("azure", 404, "Resource not found")


def deployment_not_found() -> dict:
    return generic(
        "azure",
        404,
        "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again.",
        code="DeploymentNotFound",
    )


def model_not_found(model: str) -> dict:
    return generic(
        "openai",
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def invalid_request(api: str, message: str, code: str | None = None) -> dict:
    return generic(api, 400, message, code=code)
