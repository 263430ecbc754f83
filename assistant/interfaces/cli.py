"""`python -m assistant` / `guideline-assistant`: ingest, ask, batch, check-dose, eval, bench.

Heavy imports (torch, Chroma) happen inside the commands that need them, so `check-dose` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import AssistantError, one_line
from assistant.interfaces.answer_json import answer_object

EXIT_ERROR = 2
PLUGIN_GROUP = "guideline_assistant.commands"


def _patient_arg(parser: argparse.ArgumentParser) -> None:
    from assistant.interfaces.check_dose import add_patient_argument

    add_patient_argument(parser, "explicit values win over the text")


def _llm_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm",
        default=None,
        metavar="BACKEND",
        help="answer writer: none (extractive), ollama:MODEL, openai:MODEL or llamacpp[:PATH] "
        "(default: $ASSISTANT_LLM or none)",
    )


def _settings(args: argparse.Namespace):
    from assistant.settings import Settings

    return Settings(llm=args.llm) if getattr(args, "llm", None) else Settings()


def _print_notes(answer, seen: set[str]) -> None:
    """Backend problems go to stderr once, as one line each; the answer itself carries them too."""
    for note in answer.notes:
        if note not in seen:
            seen.add(note)
            print(f"note: {note}", file=sys.stderr)


def plugin_commands() -> dict[str, EntryPoint]:
    """Commands other installed packages add to `python -m assistant` (entry-point group PLUGIN_GROUP): the eval
    suite registers `eval`, so the product installs and runs without its test material."""
    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}


def build_parser() -> argparse.ArgumentParser:
    from assistant.interfaces.check_dose import add_check_dose_arguments

    parser = argparse.ArgumentParser(
        prog="python -m assistant", description="Cited answers from dosing guidelines, with a dose checker."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ingest_cmd = sub.add_parser(
        "ingest", help="index the corpus folder and the library's files into Chroma (incremental)"
    )
    ingest_cmd.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="guideline files or folders (.md, .markdown, .txt, .pdf) to add to the library",
    )
    ingest_cmd.add_argument(
        "--rebuild",
        action="store_true",
        help="build the whole index into a fresh store and swap it in atomically (repairs a damaged store)",
    )
    validate = sub.add_parser("validate-rules", help="report every problem of rules files, one line each")
    validate.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="rules .toml files (default: every file in the rules folder)",
    )
    validate.add_argument("--schema", action="store_true", help="print the rules format as JSON Schema and exit")
    validate.add_argument(
        "--explain", action="store_true", help="also print what each rule blocks, warns about and leaves unchecked"
    )
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question", nargs="+", help="the question (quote it)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--server", metavar="URL", help="ask a running `serve` (e.g. http://127.0.0.1:8000)")
    ask.add_argument("--indication", help="an indication named in the rules files (wins over the text)")
    ask.add_argument("--route", help="a route named in the rules files (wins over the text)")
    _patient_arg(ask)
    _llm_arg(ask)
    batch = sub.add_parser("batch", help="answer one JSON object per line: {id, question} or {id, turns}")
    batch.add_argument("file", help="JSONL file ('-' = stdin)")
    batch.add_argument("--server", metavar="URL", help="answer through a running `serve` (same output)")
    _llm_arg(batch)
    add_check_dose_arguments(sub.add_parser("check-dose", help="check a dose against the rules (no model loaded)"))
    from assistant.interfaces.server.run import add_serve_arguments

    add_serve_arguments(sub.add_parser("serve", help="HTTP API, CDS Hooks service and MCP endpoint (uvicorn)"))
    sub.add_parser("mcp", help="MCP server on stdio (for an MCP client to spawn)")
    for name in sorted(plugin_commands()):  # registered by other installed packages (the evals register 'eval')
        sub.add_parser(name, help=f"provided by {plugin_commands()[name].value} (options: {name} --help)")
    sub.add_parser("bench", help="measure latency and ingest; --scale N on a generated library (options: bench --help)")
    return parser


def format_answer(answer) -> str:
    """Human-readable: the answer, then each citation with its exact guideline text."""
    lines = [answer.text]
    lines += [f"Note: {note}" for note in answer.notes]
    if answer.citations:
        lines += ["", "Sources:"]
        for c in answer.citations:
            refs = f" (guideline refs {', '.join(map(str, c.refs))})" if c.refs else ""
            page = f", p. {c.page}" if c.page is not None else ""
            lines += [f"  [{c.n}] {c.title} › {c.section}{page}{refs}", f'      "{c.text}"']
    if answer.dose_check:
        d = answer.dose_check
        lines += [
            "",
            f"Dose check: {d.verdict}{' (HARD STOP)' if d.hard_stop else ''} — {d.limits_applied or d.reason or ''}",
        ]
    return "\n".join(lines)


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assistant.index.ingest import ingest
    from assistant.index.library import record
    from assistant.index.rebuild import rebuild
    from assistant.settings import Settings

    settings = Settings()

    def bar(batches: Any) -> Any:
        return tqdm(batches, desc="embedding", unit="batch", file=sys.stderr, disable=not batches)

    from assistant.index.lock import ingest_lock
    from assistant.index.store import open_collection
    from assistant.index.version import other_backend

    # An index another embedding backend built cannot be extended: the writer rebuilds it (swapped in at the end).
    # Under the ingest lock: two first ingests must not both create the store at once.
    built_with = None
    if not args.rebuild:
        with ingest_lock(settings.data_dir, settings.ingest_lock_wait):
            built_with = other_backend(open_collection(settings), settings.embedding_backend)
    if built_with:
        print(
            f"note: the index was built with the {built_with} backend; rebuilding it with {settings.embedding_backend}",
            file=sys.stderr,
        )
    if args.rebuild or built_with:
        if args.paths:
            record(settings, list(args.paths))  # a rebuild includes them, like any ingest
        result = rebuild(settings, progress=bar)
    else:
        result = ingest(settings, progress=bar, paths=list(args.paths))
    for err in result.errors:
        print(f"skipped: {err}", file=sys.stderr)
    for note in getattr(result, "notes", []):
        print(f"note: {note}", file=sys.stderr)
    r = result.report
    docs = ", ".join(f"{d} ({n} chunks)" for d, n in sorted(result.documents.items()))
    print(f"indexed {len(result.documents)} guideline(s): {docs}")
    print(
        f"added {r.added}, removed {r.removed}, unchanged {r.unchanged}; {r.total} chunks in the index"
        + (" (rebuilt into a fresh store and swapped in)" if args.rebuild or built_with else "")
    )
    return 1 if result.errors and not result.documents else 0


def _patient(pairs: list[str]):
    from assistant.interfaces.check_dose import parse_patient
    from assistant.types import Patient

    return Patient.model_validate(parse_patient(pairs))


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.query.validate import validate_question
    from assistant.settings import Settings

    patient = _patient(args.patient)
    question = validate_question(" ".join(args.question), Settings().max_question_chars)
    if args.server:  # the pipeline is the server's: nothing of it loads here
        from assistant.interfaces.server.client import ask_remote

        return ask_remote(args, question, patient, format_answer)
    from assistant.pipeline import Assistant

    answer = Assistant(_settings(args)).reply(
        [], question, patient=patient, indication=args.indication, route=args.route
    )
    _print_notes(answer, set())
    print(json.dumps(answer_object(answer), ensure_ascii=False) if args.json else format_answer(answer))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from assistant.interfaces.batch import print_summary, run_batch
    from assistant.interfaces.jsonl import open_input
    from assistant.pipeline import Assistant, Turn
    from assistant.types import Patient

    if args.server:
        from assistant.interfaces.server.client import batch_remote

        return batch_remote(args)
    with open_input(args.file) as stream:  # a missing file is refused before the model loads
        assistant = Assistant(_settings(args))
        notes: set[str] = set()

        def reply(turns: list[str], patient: Patient) -> Any:
            history = [Turn(role="user", content=t) for t in turns[:-1]]
            answer = assistant.reply(history, turns[-1], patient=patient)
            _print_notes(answer, notes)
            return answer

        tally = run_batch(stream, sys.stdout, reply, answer_object, assistant.settings)
    print_summary(tally)
    return 1 if tally.errors else 0


def run(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    plugins = plugin_commands()
    if argv[:1] and argv[0] in plugins:  # a registered command owns its options; the product never imports it
        command: Any = plugins[argv[0]].load()
        return int(command(argv[1:]))
    if argv[:1] == ["bench"]:  # the bench owns its options (bench --help)
        from assistant.interfaces.bench import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "check-dose":
        from assistant.interfaces.check_dose import run_check_dose

        return run_check_dose(args)
    if args.command == "ingest":
        return cmd_ingest(args)
    if args.command == "validate-rules":
        from assistant.interfaces.validate_rules import run_validate_rules

        return run_validate_rules(args.files, schema=args.schema, explain=args.explain)
    if args.command == "ask":
        return cmd_ask(args)
    if args.command == "batch":
        return cmd_batch(args)
    if args.command in ("serve", "mcp"):
        from assistant.interfaces.server.run import run_mcp, run_serve

        return run_serve(args) if args.command == "serve" else run_mcp(args)
    return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    """Entry point: expected problems print one line to stderr, never a traceback (ASSISTANT_DEBUG=1 shows it)."""
    try:
        return run(argv)
    except BrokenPipeError:  # output piped into `head`: stop quietly (before OSError, which it is)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (AssistantError, OSError, ValidationError) as exc:  # ValidationError: an ASSISTANT_* setting out of range
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last resort: one line, details on request
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(f"error: unexpected {one_line(exc, with_type=True)} (set ASSISTANT_DEBUG=1 for details)", file=sys.stderr)
        return 1
