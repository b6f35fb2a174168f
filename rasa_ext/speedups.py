"""Rasa 3.6 hot spots fixed in place, installed once per Rasa process.

Profiled under load (docs/performance.md):

* more than half of the Rasa server's CPU went into
  ``RemoteAction._validate_action_result``, because ``jsonschema.validate``
  checks the response *schema* against its meta-schema on every custom action
  call before checking the response. The schema is a constant, so it is checked
  once and its validator kept; every response is still validated, with the same
  errors as before;
* ``EndpointConfig.request`` opens a new HTTP session, and so a new TCP
  connection, for every action call. The session is kept per endpoint and event
  loop instead, with idle connections dropped after 2 s, before the action
  server (Sanic's keep-alive: 5 s) could close one under a request;
* ``Message._combine_features`` (DIET reads every message's features through it)
  deep-copies the first featurizer's matrix and then stacks the others onto it
  one by one: a copy and four ``hstack`` calls for each of the sequence and
  sentence features, about 9 % of the Rasa server's time. One ``hstack`` (or
  ``concatenate``) of them all gives the same matrix.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp
import numpy as np
import scipy.sparse
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from rasa_ext.patching import replace_once


@functools.cache
def _response_validator() -> Any:
    """The validator of Rasa's action-response schema, built and checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


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


_IDLE_SECONDS = 2.0
_SESSION = "_shop_session"


class _Borrowed:
    """``async with`` on a kept session: hands it out and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def kept_session(self: EndpointConfig) -> _Borrowed:
    """``EndpointConfig.session`` that reuses one session per endpoint and event loop."""
    loop = asyncio.get_running_loop()
    kept = getattr(self, _SESSION, None)
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=_IDLE_SECONDS),
        )
        kept = (loop, session)
        setattr(self, _SESSION, kept)
    return _Borrowed(kept[1])


# Rasa's own, taken before install() replaces it (the tests compare the two).
rasa_combine_features = Message.__dict__["_combine_features"].__func__


def combine_features(features: list[Features], featurizers: list[str]) -> Features | None:
    """``Message._combine_features`` in one stacking: the same matrix, no copy first."""
    if not features:
        return None
    first = features[0]
    if len(features) == 1:
        matrix: Any = first.features.copy()
    elif all(f.is_sparse() for f in features):
        if len({f.features.shape[0] for f in features}) != 1:
            raise ValueError("Cannot combine sparse features as sequence dimensions do not match.")
        matrix = scipy.sparse.hstack([f.features for f in features])
    elif all(f.is_dense() for f in features):
        if len({f.features.ndim for f in features}) != 1:
            raise ValueError("Cannot combine dense features as sequence dimensions do not match.")
        matrix = np.concatenate([f.features for f in features], axis=-1)
    else:
        raise ValueError("Cannot combine sparse and dense features.")
    return Features(matrix, first.type, first.attribute, featurizers)


def install() -> None:
    """Replaces the slow validation, the per-call session and the feature stacking once."""
    replace_once(RemoteAction, "_validate_action_result", validate_action_result, key="schema_once")
    replace_once(EndpointConfig, "session", kept_session, key="kept_session")
    replace_once(Message, "_combine_features", combine_features, key="combine_at_once")
