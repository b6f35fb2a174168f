"""The profiled Rasa hot spots: schema checked once, action HTTP session kept."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from aiohttp import web
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import EndpointConfig

from rasa_ext import speedups

GOOD = {"events": [{"event": "slot", "name": "order_id", "value": "1"}], "responses": []}


def action() -> RemoteAction:
    return RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_installed_when_rasa_loads_the_channels() -> None:
    speedups.install()
    speedups.install()  # idempotent
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert EndpointConfig.session is speedups.kept_session
    assert Message._combine_features is speedups.combine_features


def test_the_schema_is_checked_once_and_responses_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    speedups._response_validator.cache_clear()
    checks: list[int] = []
    validator_cls = validator_for(RemoteAction.action_response_format_spec())
    original = validator_cls.check_schema

    def counting(schema: Any) -> None:
        checks.append(1)
        original(schema)

    monkeypatch.setattr(validator_cls, "check_schema", staticmethod(counting))
    for _ in range(5):
        assert speedups.validate_action_result(action(), GOOD)
    assert checks == [1]
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        speedups.validate_action_result(action(), {"events": [{"event": 5}]})
    with pytest.raises(ValidationError):
        speedups.validate_action_result(action(), {"events": "not a list"})


def test_action_calls_reuse_one_connection() -> None:
    speedups.install()
    peers: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response(GOOD)

    async def main() -> list[Any]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            answers = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
            first = endpoint.session()
            second = endpoint.session()
            assert (await first.__aenter__()) is (await second.__aenter__())
            return answers
        finally:
            await endpoint._shop_session[1].close()  # type: ignore[attr-defined]
            await runner.cleanup()

    assert asyncio.run(main()) == [GOOD] * 3
    assert len(peers) == 3 and len(set(peers)) == 1


def _features(matrix: Any, origin: str, kind: str = "sequence") -> Features:
    return Features(matrix, kind, "text", origin)


SPARSE = [
    _features(scipy.sparse.coo_matrix(np.eye(3, 4)), "words"),
    _features(scipy.sparse.coo_matrix(np.arange(6.0).reshape(3, 2)), "chars"),
    _features(scipy.sparse.csr_matrix(np.ones((3, 5))), "regex"),
]
DENSE = [
    _features(np.arange(6.0).reshape(1, 6), "a", "sentence"),
    _features(np.ones((1, 2)), "b", "sentence"),
]


@pytest.mark.parametrize("features", [SPARSE, SPARSE[:1], DENSE, DENSE[:1], []])
def test_features_are_stacked_exactly_as_rasa_stacks_them(features: list[Features]) -> None:
    ours = speedups.combine_features(features, ["all"])
    expected = speedups.rasa_combine_features(features, ["all"])
    if expected is None:
        assert ours is None
        return
    assert ours is not None
    assert (ours.type, ours.attribute, ours.origin) == (expected.type, expected.attribute, ["all"])
    left, right = ours.features, expected.features
    if scipy.sparse.issparse(left):
        assert left.format == right.format and (left != right).nnz == 0
    else:
        assert np.array_equal(left, right)
    assert ours.features is not features[0].features  # a new matrix, the input untouched


def test_mixed_or_mismatched_features_are_refused_like_rasa() -> None:
    with pytest.raises(ValueError):
        speedups.combine_features([SPARSE[0], DENSE[0]], [])
    with pytest.raises(ValueError):
        speedups.combine_features([SPARSE[0], _features(scipy.sparse.eye(2), "x")], [])
