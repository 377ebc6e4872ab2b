"""The package's layers: no import circle anywhere (every import, those inside functions
included), and the engine (algebra.continuation) imports and solves with the network side
blocked, so it can be read, tested and reused without it."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("algebra", "bridge", "training")
NETWORK_SIDE = ("algebra.networks", "algebra.systems", "algebra.dimension", "algebra.critical",
                "algebra.critical_set", "algebra.network_homotopy", "algebra.activation", "bridge", "training",
                "torch")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = f
    return out


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """The project's modules that ``name`` imports anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph, or None (depth-first search, colours)."""
    colour, stack = {}, []

    def visit(v):
        colour[v] = 1
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if colour.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in colour and (found := visit(w)):
                return found
        colour[v] = 2
        stack.pop()
        return None

    for v in sorted(graph):
        if v not in colour and (found := visit(v)):
            return found
    return None


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle_anywhere():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_engine_imports_nothing_from_the_network_side():
    modules = _modules()
    engine = [m for m in modules if m.startswith("algebra.continuation")]
    for m in engine:
        bad = [t for t in _imports(m, modules[m], modules) if t.startswith(NETWORK_SIDE)]
        assert not bad, f"{m} imports {bad}"


BLOCKED_RUN = """
import importlib, pkgutil, sys
BLOCKED = {blocked!r}

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(BLOCKED):
            raise ImportError(f"blocked: {{name}}")
        return None

sys.meta_path.insert(0, Block())
import algebra.continuation as engine
for m in pkgutil.iter_modules(engine.__path__):
    if not m.name.startswith("_"):
        importlib.import_module(f"algebra.continuation.{{m.name}}")
from algebra.continuation.monodromy import monodromy_solve
from algebra.examples import katsura
from algebra.solve import solve
r = solve(katsura(3))
m = monodromy_solve(katsura(3), seed=0, progress=False)
print(r.nsolutions, r.verdict, len(m.solutions))
"""


def test_the_engine_solves_with_the_network_side_blocked():
    code = BLOCKED_RUN.format(blocked=NETWORK_SIDE)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["8", "certified", "8"]
