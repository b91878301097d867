"""One JSON-schema validator for action-server responses, built once per process.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)`` on
every custom-action call. ``jsonschema.validate`` first checks the *schema itself* against its
meta-schema, then builds a new validator: about 21 ms per call with jsonschema 4.17 and 2.9 ms
with 3.2 on this machine, for a schema that never changes. Here the validator is built once and only
the response is checked; a response that fails gets the same ``ValidationError`` (with Rasa's hint
appended), so Rasa's error handling is unchanged.
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
