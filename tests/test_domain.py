"""The domain and the actions agree: every response exists and is used, every
action is implemented, and no buyer-facing Chinese sentence lives in Python."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTION_SOURCES = sorted((ROOT / "actions").rglob("*.py"))
# The console and the channels send a few responses too (utter_agent_joined,
# utter_system_trouble), read from domain.yml.
RESPONSE_SENDERS = ACTION_SOURCES + sorted(
    path
    for folder in ("console", "channels", "rasa_ext", "shop")
    for path in (ROOT / folder).rglob("*.py")
)


def _python() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in RESPONSE_SENDERS)


def _data() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").rglob("*.yml"))


def test_every_response_named_in_actions_exists(domain: dict[str, Any]) -> None:
    literals = set(re.findall(r"[\"'](utter_[a-z_]+[a-z])[\"']", _python()))  # not prefixes
    missing = literals - set(domain["responses"]) - {"utter_action"}  # Rasa's metadata key
    assert not missing, f"responses used in actions/ but not in domain.yml: {missing}"


def test_every_response_is_used_somewhere(domain: dict[str, Any]) -> None:
    code, data = _python(), _data()
    prefixes = set(re.findall(r"f[\"'](utter_[a-z_]+)\{", code))
    unused = [
        name
        for name in domain["responses"]
        if name not in code
        and not re.search(rf"\b{name}\b", data)
        and not any(name.startswith(prefix) for prefix in prefixes)
        and not name.startswith("utter_ask_")
    ]
    assert not unused, f"responses nothing sends: {unused}"


def test_every_custom_action_is_implemented(domain: dict[str, Any]) -> None:
    code = _python()
    for action in domain["actions"]:
        assert f'return "{action}"' in code, f"no action class is named {action}"


def test_no_chinese_sentences_in_python() -> None:
    """Buyer-facing text lives in domain.yml; Python only holds parsing words."""
    offenders = []
    for path in ACTION_SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#") or '"""' in stripped:
                continue
            for literal in re.findall(r"[\"']([^\"']*)[\"']", stripped):
                is_pattern = "|" in literal or "(?" in literal
                if not is_pattern and re.search(r"[\u4e00-\u9fff]{2,}.*[，。！？]", literal):
                    offenders.append(f"{path.name}:{number}: {literal}")
    assert not offenders, offenders


def test_the_action_server_registers_every_domain_action(domain: dict[str, Any]) -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(domain["actions"]) <= set(executor.actions)
