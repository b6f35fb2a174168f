"""The trainer's command line: the same operations as the console's trainer page.

Examples::

    python -m trainer inbox
    python -m trainer segment "这双疾风鞋面是啥料子"
    python -m trainer annotate --text "这双疾风鞋面是啥料子" --intent ask_material \
        --entity 2:4:product
    python -m trainer dict-add 疾风跑鞋
    python -m trainer validate && python -m trainer train && python -m trainer compare cand-...
    python -m trainer activate cand-... ; python -m trainer rollback ; python -m trainer log
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from shop.lexicon import INBOX_REASON_LABELS, label
from trainer import activation, evaluation, inbox, nlu_files, segment, training
from trainer.jobs import Job
from trainer.workspace import Workspace, add_flag, read_log


def _entity(value: str) -> dict[str, Any]:
    parts = value.split(":", 3)
    if len(parts) < 3:
        raise argparse.ArgumentTypeError("START:END:ENTITY[:VALUE]")
    out: dict[str, Any] = {"start": int(parts[0]), "end": int(parts[1]), "entity": parts[2]}
    if len(parts) == 4:
        out["value"] = parts[3]
    return out


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _model(ws: Workspace, name: str) -> Path:
    path = Path(name)
    if path.suffixes[-2:] == [".tar", ".gz"] and path.exists():
        return path
    return Path(training.candidate(ws, name)["model"])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainer", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--user", default=getpass.getuser(), help="who makes the change (logged)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inbox", help="buyer messages that need a look, grouped")
    p.add_argument("--threshold", type=float, default=inbox.LOW_CONFIDENCE)
    p.add_argument("--all", action="store_true", help="also handled ones")
    p.add_argument("--days", type=float, default=inbox.DAYS, help="how far back (0: all)")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("annotate", help="save a message as a training example")
    p.add_argument("--text", required=True)
    p.add_argument("--intent", required=True)
    p.add_argument("--entity", type=_entity, action="append", default=[], help="START:END:ENTITY")
    p = sub.add_parser("discard", help="drop a message (and its group) from the inbox")
    p.add_argument("--text", required=True)
    p.add_argument("--reason", default="")
    p = sub.add_parser("segment", help="jieba segmentation and entity boundary warnings")
    p.add_argument("text")
    p.add_argument("--entity", type=_entity, action="append", default=[])
    p = sub.add_parser("dict-add", help="add a word to data/jieba/userdict.txt")
    p.add_argument("word")
    p.add_argument("--freq", type=int, default=segment.DEFAULT_FREQ)
    p.add_argument("--tag", default=segment.DEFAULT_TAG)
    p = sub.add_parser("flag", help="flag a buyer message for the trainers (agents)")
    p.add_argument("conversation_id")
    p.add_argument("message_id", nargs="?", default="")
    p.add_argument("--text", default="", help="the message's text, instead of its id")
    p.add_argument("--note", default="")
    p = sub.add_parser("validate", help="rasa data validate")
    p.add_argument("--job")
    p = sub.add_parser("train", help="train a candidate model (without the held-out split)")
    p.add_argument("--config", type=Path, help="another config (e.g. fewer epochs)")
    p.add_argument("--all-data", action="store_true", help="also train on the held-out split")
    p.add_argument("--job", help="job id: write progress to the trainer's jobs directory")
    sub.add_parser("candidates", help="list candidate models")
    for name, text in (("evaluate", "score one model"), ("compare", "candidate vs. current")):
        p = sub.add_parser(name, help=text)
        p.add_argument("model", help="candidate name (cand-...) or a .tar.gz path")
        p.add_argument("--job")
        if name == "compare":
            p.add_argument("--current", type=Path, help="default: the active model")
    p = sub.add_parser("activate", help="load a candidate on the running Rasa server")
    p.add_argument("model")
    p.add_argument("--rasa-url")
    p.add_argument("--force", action="store_true", help="even without a comparison report")
    p = sub.add_parser("rollback", help="put the previous model back")
    p.add_argument("--rasa-url")
    p = sub.add_parser("log", help="the change log")
    p.add_argument("--limit", type=int, default=50)
    return parser


def _inbox(ws: Workspace, args: argparse.Namespace) -> None:
    groups = inbox.build_inbox(
        ws,
        threshold=args.threshold,
        known_texts=nlu_files.known_keys(ws),
        include_handled=args.all,
        days=args.days,
    )[: args.limit]
    if args.json:
        _print([g.to_dict() for g in groups])
        return
    for g in groups:
        m = g.example
        alts = ", ".join(f"{r['label']}({r['name']}) {r['confidence']:.2f}" for r in m.ranking[1:3])
        why = "/".join(label(INBOX_REASON_LABELS, r) for r in g.reasons)
        print(
            f"×{g.count:<3} {m.text}\n     {m.intent_label}({m.intent}) {m.confidence:.2f}"
            f" (又: {alts})  {why}  {m.conversation_id}"
        )
    print(f"{len(groups)} group(s)")


def run(args: argparse.Namespace, ws: Workspace) -> Any:
    """Executes one parsed command; returns what to print as JSON (or None)."""
    user, cmd = args.user, args.command
    if cmd == "inbox":
        return _inbox(ws, args)
    if cmd == "annotate":
        tokens = segment.segment(ws, args.text)
        warnings = segment.boundary_warnings(tokens, args.entity)
        change = nlu_files.add_example(
            ws, intent=args.intent, text=args.text, entities=args.entity, user=user
        )
        return {**change, "warnings": warnings}
    if cmd == "discard":
        return nlu_files.discard(ws, text=args.text, user=user, reason=args.reason)
    if cmd == "segment":
        tokens = segment.segment(ws, args.text)
        print(" | ".join(t["word"] for t in tokens))
        return {"tokens": tokens, "warnings": segment.boundary_warnings(tokens, args.entity)}
    if cmd == "dict-add":
        return segment.add_word(ws, word=args.word, user=user, freq=args.freq, tag=args.tag)
    if cmd == "flag":
        return add_flag(
            ws,
            conversation_id=args.conversation_id,
            message_id=args.message_id,
            text=args.text,
            user=user,
            note=args.note,
        )
    if cmd == "validate":
        job = Job(ws, args.job, "validate", user, echo=not args.job)
        outcome = training.validate(ws, user=user)
        job.finish(outcome)
        return outcome
    if cmd == "train":
        job = Job(ws, args.job, "train", user, echo=not args.job)
        try:
            manifest = training.train_candidate(
                ws, user=user, job=job, config=args.config, full_data=args.all_data
            )
        except Exception as error:
            job.fail(str(error))
            raise
        job.finish(manifest)
        return manifest
    if cmd == "candidates":
        return training.list_candidates(ws)
    if cmd in {"evaluate", "compare"}:
        job = Job(ws, args.job, cmd, user, echo=not args.job)
        current = None
        if cmd == "compare":
            active = activation.read_state(ws).get("active")
            current = args.current or (Path(active) if active else None)
        try:
            report = evaluation.compare(
                ws, candidate=_model(ws, args.model), current=current, user=user, job=job
            )
        except Exception as error:
            job.fail(str(error))
            raise
        job.finish({"name": report["candidate"].split("/")[-1].removesuffix(".tar.gz")})
        return report
    if cmd == "activate":
        return activation.activate(
            ws, model=_model(ws, args.model), user=user, rasa_url=args.rasa_url, force=args.force
        )
    if cmd == "rollback":
        return activation.rollback(ws, user=user, rasa_url=args.rasa_url)
    if cmd == "log":
        return read_log(ws, limit=args.limit)
    raise SystemExit(f"unknown command {cmd}")


def main(argv: list[str] | None = None) -> int:
    """Parses the arguments and runs the command; exit 1 with a message on refusal."""
    args = _parser().parse_args(argv)
    ws = Workspace.from_settings()
    try:
        result = run(args, ws)
    except (
        nlu_files.AnnotationError,
        ValueError,
        KeyError,
        activation.ActivationError,
        RuntimeError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if result is not None:
        _print(result)
    return 0
