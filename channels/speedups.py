"""Rasa 3.6 hot spots fixed in place, installed once per Rasa process.

Profiled under load (docs/performance.md): more than half of the Rasa server's
CPU went into ``RemoteAction._validate_action_result``, because
``jsonschema.validate`` checks the response *schema* against its meta-schema on
every custom action call before checking the response. The schema is a
constant, so it is checked once and its validator kept; every response is still
validated, with the same errors as before.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_MARK = "_shop_cached_schema"
_validator: list[Any] = []  # the one validator, built on first use


def _response_validator() -> Any:
    if not _validator:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator.append(cls(schema))
    return _validator[0]


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the validator built once."""
    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid."
    )
    raise error


setattr(validate_action_result, _MARK, True)


def install() -> None:
    """Replaces the slow validation once (idempotent)."""
    if not getattr(RemoteAction._validate_action_result, _MARK, False):
        RemoteAction._validate_action_result = validate_action_result
