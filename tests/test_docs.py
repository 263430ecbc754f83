"""The README and docs/ stay true: every relative link resolves (the file exists; an `#anchor` is a heading of the
target under GitHub's anchor rules), and every `python -m assistant COMMAND --flag` in a fenced code block of the
README names a command and flags that the CLI's own --help lists."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest

from assistant.settings import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_LINK = re.compile(r"<(?:a|img)\s[^>]*?(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
HTML_ANCHOR = re.compile(r"<a\s[^>]*?(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    out, fence = [], ""
    for line in text.splitlines():
        m = FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
            continue
        if not fence:
            out.append(line)
    return out


def code_blocks(text: str) -> list[str]:
    """The lines inside fenced code blocks."""
    out, fence = [], ""
    for line in text.splitlines():
        m = FENCE.match(line)
        if m and (not fence or (m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence))):
            fence = "" if fence else m.group(1)
            continue
        if fence:
            out.append(line)
    return out


def links(page: Path) -> list[str]:
    """Every link target of the page outside code (inline, reference definitions and HTML a/img)."""
    found: list[str] = []
    for line in prose_lines(page.read_text(encoding="utf-8")):
        line = CODE_SPAN.sub("", line)
        found += [m.group(1).strip("<>") for m in INLINE_LINK.finditer(line)]
        found += [m.group(1).strip("<>") for m in REFERENCE_DEF.finditer(line)]
        found += HTML_LINK.findall(line)
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower-cased, punctuation dropped, each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link or image: its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"(?<!\w)_+|_+(?!\w)", "", text)  # _emphasis_, not snake_case
    text = text.strip().lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_ ").replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of a page (a repeated heading gets -1, -2, …), plus HTML anchors."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    lines = prose_lines(page.read_text(encoding="utf-8"))
    for i, line in enumerate(lines):
        text = None
        if m := HEADING.match(line):
            text = m.group(2)
        elif i + 1 < len(lines) and line.strip() and re.fullmatch(r" {0,3}(=+|-+)\s*", lines[i + 1]):
            text = line.strip()  # a setext heading (underlined)
        out |= set(HTML_ANCHOR.findall(line))
        if text is None:
            continue
        base = slug(text)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def test_the_slug_follows_githubs_rules():
    assert slug("`ingest` — build or update the index") == "ingest--build-or-update-the-index"
    assert slug("`check-dose` — the dose checker alone (no model loaded, ~0.25 s per call)") == (
        "check-dose--the-dose-checker-alone-no-model-loaded-025-s-per-call"
    )
    assert slug("Checking a rules file: `validate-rules`") == "checking-a-rules-file-validate-rules"
    assert slug("The *development* library (evals/library)") == "the-development-library-evalslibrary"
    assert slug("ASSISTANT_CHROMA_URL") == "assistant_chroma_url"


def test_repeated_headings_are_numbered(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Usage\n\n## Usage\n\n```\n# not a heading\n```\n\nSetext\n------\n", encoding="utf-8")
    assert anchors(page) == {"usage", "usage-1", "setext"}


def test_the_link_reader_skips_code_and_external_targets(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        'See [a](a.md#x "title") and ![img](b.png), `[not](c.md)`.\n\n```\n[nor](d.md)\n```\n[ref]: e.md\n',
        encoding="utf-8",
    )
    assert links(page) == ["a.md#x", "b.png", "e.md"]


def broken_links(page: Path) -> list[str]:
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
            continue  # http:, https:, mailto: …
        path_part, _, anchor = target.partition("#")
        dest = (page.parent / unquote(path_part)).resolve() if path_part else page
        if not dest.exists():
            problems.append(f"{page.name}: {target} (no such file)")
        elif anchor and dest.suffix == ".md" and unquote(anchor).lower() not in anchors(dest):
            problems.append(f"{page.name}: {target} (no heading #{anchor} in {dest.name})")
    return problems


def test_a_missing_file_or_heading_is_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Real heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Top\n[ok](other.md#real-heading) [self](#top) [gone](missing.md) [bad](other.md#no-such) [web](https://x.org)\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "page.md: missing.md (no such file)",
        "page.md: other.md#no-such (no heading #no-such in other.md)",
    ]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_pages_have_links_to_check():
    assert len(PAGES) > 1 and any(links(p) for p in PAGES)


# ------------------------------------------------------------------------------------------------ commands

PROGRAM = ["python", "-m", "assistant"]
SHELL_BREAKS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "2>", "2>&1"}


def readme_commands() -> list[tuple[str, list[str]]]:
    """(command, its --flags) for every `python -m assistant COMMAND …` line in the README's code blocks."""
    out: list[tuple[str, list[str]]] = []
    for line in code_blocks(README.read_text(encoding="utf-8")):
        if "python -m assistant" not in line:
            continue
        lexer = shlex.shlex(line.lstrip("$ "), posix=True, punctuation_chars="|&;<>")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        for i in range(len(tokens) - len(PROGRAM) + 1):
            if tokens[i : i + len(PROGRAM)] != PROGRAM or i + len(PROGRAM) >= len(tokens):
                continue
            rest: list[str] = []
            for token in tokens[i + len(PROGRAM) :]:
                if token in SHELL_BREAKS:
                    break
                rest.append(token)
            if rest and not rest[0].startswith("-"):
                out.append((rest[0], [t.split("=")[0] for t in rest[1:] if t.startswith("--")]))
    return out


def assistant_help(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@cache
def listed_commands() -> frozenset[str]:
    """The subcommands `python -m assistant --help` lists (argparse: '{a,b,c}')."""
    choices = re.search(r"\{([a-z0-9_,-]+)\}", assistant_help())
    assert choices is not None
    return frozenset(choices.group(1).split(","))


def test_the_readme_shows_commands():
    commands = readme_commands()
    assert len(commands) >= 3
    assert ("check-dose", ["--drug", "--dose", "--indication", "--patient"]) in commands


def test_every_readme_command_is_listed_by_help():
    unknown = sorted({c for c, _ in readme_commands()} - listed_commands())
    assert unknown == [], f"README runs commands that `python -m assistant --help` does not list: {unknown}"


def test_every_readme_flag_is_accepted_by_its_command():
    by_command: dict[str, set[str]] = {}
    for command, flags in readme_commands():
        by_command.setdefault(command, set()).update(flags)
    missing = []
    for command, flags in sorted(by_command.items()):
        if not flags or command not in listed_commands():
            continue  # an unlisted command is reported by the test above
        shown = set(re.findall(r"--[a-z0-9][a-z0-9-]*", assistant_help(command)))
        missing += [f"{command} {flag}" for flag in sorted(flags - shown)]
    assert missing == []
