"""Two patches of the action round trip (to move into the one patch module).

1. One JSON-schema validator for action-server responses, built once per process.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)`` on
every custom-action call. ``jsonschema.validate`` first checks the *schema itself* against its
meta-schema, then builds a new validator: about 21 ms per call with jsonschema 4.17 and 2.9 ms
with 3.2 on this machine, for a schema that never changes. Here the validator is built once and only
the response is checked; a response that fails gets the same ``ValidationError`` (with Rasa's hint
appended), so Rasa's error handling is unchanged.

2. ``EndpointConfig.request`` opens a new aiohttp ``ClientSession`` (and a new TCP connection) for
every call to the action server, then closes it. Here one session per endpoint and event loop is
kept, so calls reuse a kept-alive connection; requests, errors (``ClientResponseError`` for 4xx/5xx)
and time-outs are Rasa's.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text


@lru_cache(maxsize=1)
def response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate would on every call
    return cls(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` (same result, same exception)."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> bool:
    """Replaces RemoteAction._validate_action_result; False if already replaced."""
    from rasa.core.actions.action import RemoteAction

    if RemoteAction._validate_action_result is validate_action_result:  # type: ignore[comparison-overlap]
        return False
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    return True


# --- keep-alive session for the action server --------------------------------------------------------
_SESSIONS: Dict[Any, Any] = {}


async def request_with_kept_session(self: Any, method: Text = "post", subpath: Any = None,
                                    content_type: Any = "application/json", compress: bool = False,
                                    **kwargs: Any) -> Any:
    """``EndpointConfig.request`` on one aiohttp session per endpoint and event loop (kept open)."""
    import asyncio
    import ssl

    import aiohttp
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    sslcontext = ssl.create_default_context(cafile=self.cafile) if self.cafile else None
    loop = asyncio.get_running_loop()
    key = (self.url, repr(sorted((self.headers or {}).items())), repr(self.basic_auth), id(loop))
    session = _SESSIONS.get(key)
    if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
        session = self.session()
        _SESSIONS[key] = session
    async with session.request(method, concat_url(self.url, subpath), headers=headers,
                               params=self.combine_parameters(kwargs), compress=compress, ssl=sslcontext,
                               **kwargs) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except aiohttp.ContentTypeError:
            return None


def install_keepalive() -> None:
    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.request = request_with_kept_session  # type: ignore[method-assign]
