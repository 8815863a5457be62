"""The layout's rules, read from the source: imports go down, no cycles, small modules.

Each process's package is layered (gateway: app -> outreach -> channels -> core; action server:
actions -> kit -> cases), channels never reach into each other, action modules never into each
other, and case back ends know nothing of Rasa's actions or the gateway. Every import counts,
also those made inside functions or only for type checking: a cycle there is still a tangle for
the reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "actions", "cases", "sandbox", "common", "rasa_sdk_plugins", "privacy")
MAX_LINES = 400
MAX_API_TOP_LEVEL = 15


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported(name: str, path: Path) -> Iterator[str]:
    """The project modules ``name`` imports, each resolved to a module that exists."""
    known = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from a import b" imports the module a.b when there is one, else a
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


@cache
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imported(name, path)) for name, path in modules().items()}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def edges(source: str) -> Iterator[tuple[str, str]]:
    for name, targets in graph().items():
        if within(name, source):
            for target in targets:
                yield name, target


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph()[node]:
            # a package's __init__ importing its own modules is how packages work
            if within(target, node):
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph()):
        if node not in index:
            visit(node)
    return found


def test_the_rules_see_every_package_and_resolve_imports() -> None:
    # guards the rules below against passing because nothing was read
    assert {"api.app", "actions.kit.sdk", "cases.backend", "sandbox.app"} <= set(modules())
    assert "api.conversation" in graph()["api.channels.webchat.messages"]


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_channels_never_import_another_channel_or_what_sits_above_them() -> None:
    wrong = []
    for name, target in edges("api.channels"):
        channel = name.split(".")[2] if name.count(".") >= 2 else None
        if (
            within(target, "api.outreach")
            or within(target, "api.handoff")
            or target in {"api.app", "api.main"}
        ):
            wrong.append((name, target))
        elif within(target, "api.channels") and target.count(".") >= 2:
            if channel is None or target.split(".")[2] != channel:
                wrong.append((name, target))
    assert wrong == []


def test_the_gateway_core_imports_no_channel_and_no_outreach() -> None:
    core = [
        name
        for name in modules()
        if within(name, "api")
        and not within(name, "api.channels")
        and not within(name, "api.outreach")
        and not within(name, "api.handoff")
        and name not in {"api.app", "api.main"}
    ]
    wrong = [
        (name, target)
        for name in core
        for target in graph()[name]
        if within(target, "api.channels")
        or within(target, "api.outreach")
        or within(target, "api.handoff")
    ]
    assert wrong == []


def test_action_modules_never_import_each_other() -> None:
    actions = {name for name in modules() if name.count(".") == 1 and within(name, "actions")}
    wrong = [(name, target) for name in actions for target in graph()[name] if target in actions]
    kit = [name for name in modules() if within(name, "actions.kit")]
    wrong += [(name, target) for name in kit for target in graph()[name] if target in actions]
    assert wrong == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("cases", ("actions", "api", "sandbox", "rasa_sdk_plugins", "privacy")),
        ("api", ("actions", "cases", "sandbox", "rasa_sdk_plugins", "privacy")),
        ("actions", ("api", "sandbox", "privacy")),
        ("sandbox", ("api", "actions", "cases", "rasa_sdk_plugins", "privacy")),
        ("common", ("api", "actions", "cases", "sandbox", "rasa_sdk_plugins", "privacy")),
        ("privacy", ("sandbox", "rasa_sdk_plugins")),
    ],
)
def test_packages_import_only_what_sits_below_them(
    package: str, forbidden: tuple[str, ...]
) -> None:
    wrong = [
        (name, target)
        for name, target in edges(package)
        if any(within(target, other) for other in forbidden)
    ]
    assert wrong == []


def test_every_module_stays_small() -> None:
    long = {
        name: lines
        for name, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_gateway_top_level_holds_few_modules() -> None:
    top = sorted(path.name for path in (REPO / "api").glob("*.py"))
    assert len(top) <= MAX_API_TOP_LEVEL, top


def test_no_folder_holds_a_family_of_prefixed_modules() -> None:
    # three modules named "x_..." in one folder are a folder waiting to be made
    families: dict[tuple[Path, str], list[str]] = {}
    for path in modules().values():
        stem = path.stem
        if "_" in stem and not stem.startswith("_"):
            families.setdefault((path.parent, stem.split("_")[0]), []).append(stem)
    crowded = {
        f"{folder.relative_to(REPO)}/{prefix}_*": sorted(names)
        for (folder, prefix), names in families.items()
        if len(names) >= 3
    }
    assert crowded == {}


def readme_tree() -> set[str]:
    """The folders the README's Layout tree names, as paths (its indentation is the nesting)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = layout.split("```\n", 2)[1]
    folders: set[str] = set()
    parents: list[tuple[int, str]] = []
    for line in block.splitlines():
        token = line.strip().split(" ", 1)[0]
        if not token.endswith("/"):
            continue
        indent = len(line) - len(line.lstrip())
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "/".join([*(name for _, name in parents), token.rstrip("/")])
        folders.add(path)
        parents.append((indent, token.rstrip("/")))
    return folders


def test_the_readme_layout_names_every_package_folder_and_no_other() -> None:
    named = readme_tree()
    packages = {
        str(path.parent.relative_to(REPO))
        for package in ("api", "actions", "cases", "common")
        for path in (REPO / package).rglob("__init__.py")
    }
    assert packages - named == set()
    assert {folder for folder in named if not (REPO / folder).is_dir()} == set()
