"""Every example in README.md and docs/*.md runs, and prints what the page shows.

How the pages are written (and read here):

* Shell examples are ```console blocks. A line ``$ landscape ...`` is a command (a trailing
  backslash continues it on the next line); the lines after it, up to the next ``$`` line or
  the end of the block, are what it prints (stdout and stderr together, as in a terminal).
  Every command runs from the repository root through bash, with the venv's bin folder first
  on PATH (so ``landscape`` is the venv's script and ``python3`` the venv's python), with a
  per-command timeout.
* Output is compared doctest-like: a line ``...`` (alone, any indentation) matches any number
  of lines; ``...`` inside a line matches any text (for seconds, dates, paths and timings, not
  for counts); trailing whitespace and trailing blank lines are ignored.
* Placeholder folders: in a command, a path that starts with ``runs/`` or ``results/`` (the
  project's output folders, both git-ignored) is rewritten into a fresh temporary folder of
  the page, and that folder is written back as ``runs/`` / ``results/`` in the output, so
  that commands that write files (``--out runs/...``) never touch the work tree and their
  output reads as the page shows it. The blocks of a page run in order and share its folder,
  so a later command may read an earlier one's output (``--out runs/gm``, then
  ``--start-from runs/gm``).
* A console block that cannot run here within about 30 s (``make run``, the cluster, GPU and
  CIFAR-10 commands, hour-long counts) carries a visible marker on the line right above it:
  ``<!-- not run by tests/test_docs.py: REASON -->``. Such blocks are reported as skipped with
  their reason. Examples in ```text blocks are not commands and are never run.
* Python examples are ```python blocks in doctest form (``>>>``): they run with the doctest
  module (ELLIPSIS, NORMALIZE_WHITESPACE), the blocks of one page in order in one namespace,
  with a temporary folder as the working directory (relative paths such as "runs/poly" land
  there). A ```python block without ``>>>`` is not allowed (nothing would check it).

The pages run two at a time (the machine has 2 cores), each page's blocks in order; each test
waits for its own block.
"""
from __future__ import annotations

import doctest
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP_MARK = re.compile(r"<!--\s*not run by tests/test_docs\.py:\s*(.*?)\s*-->")
PLACEHOLDER = re.compile(r"(?<![\w./-])(runs|results)/")
TIMEOUT = 60  # seconds a command; each documented one takes under about 30 s on 2 cores
WORKERS = 2


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    skip: str | None = None
    commands: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, with the skip marker right above each, if any."""
    lines = page.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        above = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        mark = SKIP_MARK.search(above)
        block = Block(page, start + 1, lang, "\n".join(lines[start + 1:j]) + "\n",
                      mark.group(1) if mark else None)
        if lang == "console":
            block.commands = parse_console(block)
        out.append(block)
        i = j + 1
    return out


def parse_console(block: Block) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if not commands:
                raise ValueError(f"{block.id}: a console block starts with a '$ ' command line, got {line!r}")
            commands[-1][1].append(line)
            i += 1
            continue
        cmd = line[2:]
        while cmd.endswith("\\"):
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        commands.append((cmd, []))
        i += 1
    return commands


ALL = [b for p in PAGES for b in blocks(p)]
CONSOLE = [b for b in ALL if b.lang == "console"]
RUN = [b for b in CONSOLE if b.skip is None]
PYTHON_PAGES = sorted({b.page for b in ALL if b.lang == "python"})


def line_matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Doctest-like: a line '...' matches any number of lines, '...' in a line any text."""
    exp = [e.rstrip() for e in expected]
    act = [a.rstrip() for a in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(exp):
            ok = j == len(act)
        elif exp[i].strip() == "...":
            ok = match(i + 1, j) or (j < len(act) and match(i, j + 1))
        else:
            ok = j < len(act) and line_matches(exp[i], act[j]) and match(i + 1, j + 1)
        memo[i, j] = ok
        return ok

    return match(0, 0)


def run_command(cmd: str, folder: Path) -> tuple[int, str]:
    """Run one documented command; return its exit status and its output as the page shows it."""
    assert cmd.startswith("landscape "), f"documented commands start with 'landscape ': {cmd!r}"
    real = PLACEHOLDER.sub(lambda m: f"{folder}/{m.group(1)}/", cmd)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONUNBUFFERED="1",
               COLUMNS="100")
    env.pop("LANDSCAPE_SCHEDULER", None)
    p = subprocess.Popen(["bash", "-o", "pipefail", "-c", real], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the command's own process group: bash and what it started
        out, _ = p.communicate()
        return -1, f"timed out after {TIMEOUT} s\n{out}"
    return p.returncode, out.replace(f"{folder}/", "")


def run_page(blocks: list[Block], folder: Path) -> dict[str, list[tuple[str, list[str], int, str]]]:
    """Run the given blocks of one page in order, in one folder (later ones may read earlier output)."""
    folder.mkdir(parents=True, exist_ok=True)
    return {b.id: [(cmd, expected, *run_command(cmd, folder)) for cmd, expected in b.commands] for b in blocks}


@pytest.fixture(scope="module")
def console_runs(request, tmp_path_factory):
    """Start every page with a selected console block (two at a time) as soon as the first test asks."""
    wanted = {item.callspec.params["block"].page for item in request.session.items
              if getattr(item, "callspec", None) and isinstance(item.callspec.params.get("block"), Block)
              and item.callspec.params["block"].skip is None}
    pool = ThreadPoolExecutor(WORKERS)
    base = tmp_path_factory.mktemp("docs")
    futures = {}
    for n, page in enumerate(p for p in PAGES if p in wanted):
        todo = [b for b in RUN if b.page == page]
        future = pool.submit(run_page, todo, base / f"page{n}")
        futures.update({b.id: future for b in todo})
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=[str(p.relative_to(ROOT)) for p in PYTHON_PAGES])
def test_python_examples(page: Path, tmp_path, monkeypatch, console_runs):
    # asks for console_runs so that the commands start first and run beside these doctests
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict = {"__name__": "__docs__"}
    for b in (b for b in ALL if b.page == page and b.lang == "python"):
        assert ">>>" in b.text, f"{b.id}: a python block in doctest form (>>>), so that it is checked"
        test = parser.get_doctest(b.text, globs, b.id, str(page), b.line)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # DocTest copies the namespace it is given
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{page.name}: {result.failed} of {result.attempted} examples failed (see above)"


@pytest.mark.parametrize("block", CONSOLE, ids=[b.id for b in CONSOLE])
def test_console_example(block: Block, console_runs):
    if block.skip is not None:
        pytest.skip(f"marked on the page: {block.skip}")
    for cmd, expected, rc, output in console_runs[block.id].result()[block.id]:
        actual = output.splitlines()
        assert rc == 0, f"{block.id}: `{cmd}` exited with {rc}:\n{output}"
        assert output_matches(expected, actual), (
            f"{block.id}: `{cmd}` printed\n{output}\n--- the page shows ---\n" + "\n".join(expected))


def test_conventions():
    """Shell examples use the one convention, and the skipped ones are few and say why."""
    for b in ALL:
        if b.lang in ("sh", "bash", "shell", "") and re.search(r"^\$ landscape", b.text, re.M):
            pytest.fail(f"{b.id}: a `$ landscape` example belongs in a ```console block (to be run)")
        if b.lang == "console":
            assert b.commands, f"{b.id}: an empty console block"
    assert RUN, "no console example found"
    skipped = [b for b in CONSOLE if b.skip is not None]
    assert all(b.skip for b in skipped)
    assert len(skipped) <= 12, f"too many examples not run: {[b.id for b in skipped]}"


def test_matcher_can_fail():
    assert output_matches(["a", "...", "d ... s"], ["a", "b", "c", "d 1.2 s"])
    assert output_matches(["a", "..."], ["a"])
    assert not output_matches(["a", "72 solutions"], ["a", "71 solutions"])
    assert not output_matches(["a"], ["a", "b"])
