"""The assistant's own words for the console: domain responses and rule answers.

Buyer-facing text lives in ``domain.yml``; the console fills a response's
variables (``utter_agent_joined`` with ``{agent_name}``) and never writes its
own. Suggested replies are the responses rules in ``data/rules/*.yml`` give to
an intent directly (``intent`` then a plain ``utter_`` response: text only, no
variables, buttons or custom payload). Files are re-read when they change.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from shop.config import PROJECT_ROOT

VARIABLE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
SUGGEST_CONFIDENCE = 0.8
CHANNEL = "socketio"


class ResponseMissingError(KeyError):
    """``domain.yml`` has no text for the response."""


def _variant(variants: Any) -> dict[str, Any] | None:
    """The first text variant for the widget (channel-free or ``socketio``)."""
    usable = [v for v in variants or [] if isinstance(v, dict) and v.get("text")]
    for wanted in (CHANNEL, None):
        for variant in usable:
            if variant.get("channel") == wanted:
                return variant
    return None


class Responses:
    """Response texts from ``domain.yml`` and the intents rules answer directly."""

    def __init__(self, domain: Path | None = None, rules: Path | None = None) -> None:
        self.domain_path = domain or PROJECT_ROOT / "domain.yml"
        self.rules_dir = rules or PROJECT_ROOT / "data" / "rules"
        self._stamp: tuple[float, ...] = ()
        self._responses: dict[str, Any] = {}
        self._answers: dict[str, str] = {}

    def _files(self) -> list[Path]:
        return [self.domain_path, *sorted(self.rules_dir.glob("*.yml"))]

    def _load(self) -> None:
        files = self._files()
        stamp = tuple(path.stat().st_mtime_ns for path in files)
        if stamp == self._stamp:
            return
        domain = yaml.safe_load(self.domain_path.read_text(encoding="utf-8")) or {}
        self._responses = domain.get("responses") or {}
        answers: dict[str, str] = {}
        for path in files[1:]:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for rule in data.get("rules") or []:
                steps = [s for s in rule.get("steps") or [] if isinstance(s, dict)]
                for first, second in pairwise(steps):
                    if "intent" in first and str(second.get("action", "")).startswith("utter_"):
                        answers.setdefault(str(first["intent"]), str(second["action"]))
                        break
        self._answers, self._stamp = answers, stamp

    def text(self, name: str, **values: Any) -> str:
        """The response's text with ``{variables}`` filled.

        Raises:
            ResponseMissingError: The domain has no text variant for ``name``.
        """
        self._load()
        variant = _variant(self._responses.get(name))
        if variant is None:
            raise ResponseMissingError(name)
        return VARIABLE.sub(lambda m: str(values.get(m.group(1), m.group(0))), str(variant["text"]))

    def plain_answer(self, intent: str) -> str | None:
        """The plain response text a rule gives ``intent`` directly, if any."""
        self._load()
        name = self._answers.get(intent)
        variants = self._responses.get(name or "") or []
        variant = _variant(variants)
        if variant is None or any(key in variant for key in ("buttons", "custom", "image")):
            return None
        text = str(variant["text"])
        return None if VARIABLE.search(text) else text

    def suggestions(self, parse: dict[str, Any]) -> list[dict[str, Any]]:
        """``[S]`` for a ``/model/parse`` result: a confident intent a rule answers."""
        intent = parse.get("intent") or {}
        name, confidence = intent.get("name"), intent.get("confidence")
        if not isinstance(name, str) or not isinstance(confidence, int | float):
            return []
        if confidence < SUGGEST_CONFIDENCE:
            return []
        text = self.plain_answer(name)
        if text is None:
            return []
        return [{"text": text, "intent": name, "confidence": round(float(confidence), 4)}]
