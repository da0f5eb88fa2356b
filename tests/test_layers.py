"""The package's layers, read from its import statements (every one, also those inside
functions): a module imports only from its own layer or the layers below, and no two
parts of huoye import each other, directly or round a loop."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "huoye"

#: lowest first; a part is a module or a subpackage of huoye
LAYERS = [
    ("huoye", "huoye.errors", "huoye.i18n", "huoye.faces", "huoye.typography"),  # vocabulary
    ("huoye.model", "huoye.content", "huoye.project"),  # the domain; where content and templates live
    ("huoye.cache", "huoye.output"),  # files: the build key, atomic writes
    ("huoye.load", "huoye.summarise", "huoye.fonts"),  # content → model; derive; faces
    ("huoye.render",),  # model → bytes
    ("huoye.preflight",),  # every refusal before rendering
    ("huoye.plan", "huoye.processes", "huoye.progress", "huoye.signals",
     "huoye.site"),  # what to build, where, how visibly; the series' pages after it
    ("huoye.build",),  # the orchestrator
    ("huoye.importer",),  # a Word manuscript → an issue's content files (huoye import)
    ("huoye.api", "huoye.watch", "huoye.serve", "huoye.scaffold", "huoye.cli",
     "huoye.__main__"),  # the library's entry point and the commands
]
RANK = {part: n for n, parts in enumerate(LAYERS) for part in parts}
#: known exceptions, each with its reason (keep this short)
EXCEPTIONS = {
    # `huoye.build(...)` calls the library's entry point: the module is made callable and
    # imports huoye.api when called (api's build wraps this module's)
    ("huoye.build", "huoye.api"),
}


def part_of(module: str) -> str:
    """huoye.render.deck.slides → huoye.render; huoye.fonts → huoye.fonts; huoye → huoye."""
    return ".".join(module.split(".")[:2])


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The huoye modules `path` imports, wherever the import statement is."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            for alias in node.names:  # from huoye import cache: the module huoye.cache
                candidate = f"{base}.{alias.name}"
                if (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or \
                        (ROOT / Path(*candidate.split("."))).is_dir():
                    found.add(candidate)
    return {m for m in found if m == "huoye" or m.startswith("huoye.")}


def edges() -> dict[str, set[str]]:
    """part → the other parts it imports."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        me = part_of(module_name(path))
        graph.setdefault(me, set())
        graph[me] |= {part_of(m) for m in imports(path)} - {me}
    for a, b in EXCEPTIONS:
        graph.get(a, set()).discard(b)
    return graph


def test_every_part_of_huoye_has_a_layer():
    unplaced = sorted(set(edges()) - set(RANK))
    assert not unplaced, f"place these in LAYERS: {unplaced}"


def test_no_part_imports_from_a_layer_above_it():
    upward = [f"{a} → {b}" for a, targets in edges().items() for b in targets
              if b != "huoye" and RANK.get(b, -1) > RANK.get(a, -1)]
    assert not upward, "imports against the layer order: " + ", ".join(sorted(upward))


def test_no_two_parts_import_each_other_round_a_loop():
    graph = edges()
    graph["huoye"] = set()  # the package's own __init__ holds the version only
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles: " + "; ".join(cycles)


def test_the_reader_sees_the_imports_it_checks():
    """The checker itself: it finds imports inside functions and relative ones."""
    found = imports(PACKAGE / "render" / "deck" / "__init__.py")
    assert "huoye.render.deck.pptxkit" in found  # from . import pptxkit as kit
    assert "huoye.fonts" in found  # from huoye.fonts import check_deck_fonts
    assert "huoye.summarise" in imports(PACKAGE / "render" / "templating.py")  # in a function
