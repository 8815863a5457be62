"""deploy/Dockerfile: the image holds every package pyproject.toml lists, and each process starts.

Docker is not needed: the build context is filtered by ``deploy/Dockerfile.dockerignore`` the
way Docker filters it, the Dockerfile's ``COPY`` instructions lay the files out in a temporary
root, its last ``pip install`` of a local folder is run into a temporary target, and a fresh
interpreter that sees that target and the third-party packages (never the repository) imports
each process's entry module. The third-party packages are the test environment's: the
Dockerfile's ``uv export`` of uv.lock, run on the copied files, must pin exactly those.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UV = ROOT / ".tools" / "uv" / "bin" / "uv"


def ignore_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """``(excluded, pattern)`` per line of a dockerignore file, in order."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        excluded = not line.startswith("!")
        glob = line.lstrip("!").strip().strip("/")
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", glob):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part)
            )
        patterns.append((excluded, re.compile(regex)))
    return patterns


def sent(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether Docker sends ``path``: the last pattern matching it or a parent folder decides."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for is_exclusion, pattern in patterns:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            excluded = is_exclusion
    return not excluded


def context_files(root: Path, dockerignore: str) -> list[str]:
    """The files of the build context (``root`` as the working tree has it) Docker would send."""
    patterns = ignore_patterns(dockerignore)
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if not (Path(folder) / name).is_symlink()]
        for name in files:
            relative = (Path(folder) / name).relative_to(root).as_posix()
            if sent(relative, patterns):
                found.append(relative)
    return found


def instructions(dockerfile: str) -> Iterator[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            yield keyword.upper(), arguments.strip()


@dataclass
class Image:
    """The image's file system under ``root``, its working folder and its installed packages."""

    root: Path
    workdir: PurePosixPath
    target: Path
    exports: list[list[str]]

    def path(self, inside: PurePosixPath) -> Path:
        """Where a path of the image lies in this copy."""
        return self.root / inside.relative_to("/")


def build(tmp: Path, dockerfile: str, dockerignore: str) -> Image:
    """Lay out what the Dockerfile copies and install its last local ``pip install``."""
    files = context_files(ROOT, dockerignore)
    image = Image(root=tmp / "root", workdir=PurePosixPath("/"), target=tmp / "site", exports=[])
    installed: Path | None = None
    for keyword, arguments in instructions(dockerfile):
        if keyword == "WORKDIR":
            image.workdir = image.workdir / arguments
        elif keyword == "COPY":
            words = [word for word in shlex.split(arguments) if not word.startswith("--")]
            assert not any(w.startswith("--from") for w in shlex.split(arguments))
            *sources, destination = words
            into = image.path(image.workdir / destination)
            for source in sources:
                prefix = "" if source == "." else source.strip("/") + "/"
                chosen = [f for f in files if f == source or f.startswith(prefix)]
                assert chosen, f"COPY {source}: nothing of it is in the build context"
                for name in chosen:
                    relative = PurePosixPath(name).name if name == source else name[len(prefix) :]
                    copy = into / relative
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, copy)
        elif keyword == "RUN":
            for command in arguments.split("&&"):
                words = shlex.split(command)
                if PurePosixPath(words[0]).name == "uv" and words[1:2] == ["export"]:
                    image.exports.append(words)
                if words[:2] == ["pip", "install"] and not words[-1].startswith("-"):
                    folder = words[-1]
                    if folder.startswith((".", "/")) and "-r" not in words:
                        installed = image.path(image.workdir / folder)
    assert installed is not None, "the Dockerfile installs no local folder with pip"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    pip += ["--no-build-isolation", "--no-index", "--target", str(image.target), str(installed)]
    subprocess.run(pip, check=True, capture_output=True, cwd=tmp)
    return image


def exported_pins(image: Image, uv: Path) -> dict[str, str]:
    """``{name: version}`` of the requirements the Dockerfile's ``uv export`` writes, run here."""
    assert len(image.exports) == 1, "the Dockerfile writes its requirements with one uv export"
    words = image.exports[0]
    command = [str(uv)] + [
        str(image.path(PurePosixPath(word))) if word.startswith("/") else word for word in words[1:]
    ]
    output = command[command.index("--output-file") + 1]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    pins = {}
    for line in Path(output).read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][\w.-]*)==([^\s;]+)( ;([^\\]+))?", line)
        if match and (not match.group(4) or Marker(match.group(4)).evaluate()):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def installed(name: str) -> str | None:
    """The version of ``name`` in the environment the tests run in, if it is there."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def compose_entries() -> dict[str, str]:
    """Each compose service built from deploy/Dockerfile: the module (``module:attr``) it runs."""
    services: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    entries = {}
    for name, service in services.items():
        if service.get("build", {}).get("dockerfile") != "deploy/Dockerfile":
            continue
        command: list[str] = service["command"]
        if "--actions" in command:
            entries[name] = command[command.index("--actions") + 1]
        elif "-m" in command:
            # python -m module: the module is what the process imports first
            entries[name] = command[command.index("-m") + 1]
        else:
            entries[name] = next(word for word in command if re.fullmatch(r"[\w.]+:\w+", word))
    return entries


# run in the fresh interpreter: import what each process imports first, as it imports it
PROBE = """
import importlib, json, sys
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager

entries = json.loads(sys.argv[1])
for entry in entries:
    module_name, _, attribute = entry.partition(":")
    module = importlib.import_module(module_name)
    assert not attribute or callable(getattr(module, attribute)), entry
import rasa_sdk_plugins
assert plugin_manager().is_registered(rasa_sdk_plugins), "rasa-sdk did not take the plugins"
executor = ActionExecutor()
executor.register_package("actions")
print(json.dumps({
    "actions": sorted(executor.actions),
    "files": {n: m.__file__ for n, m in sys.modules.items() if getattr(m, "__file__", None)},
}))
"""


def probe(image: Image, entries: list[str], cwd: Path) -> dict[str, Any]:
    """Import ``entries`` in an interpreter that sees the image's packages, not the repository."""
    # -S: no site module, so no .pth file (the venv's editable casebot) adds the repository
    path = os.pathsep.join([str(image.target), sysconfig.get_paths()["purelib"]])
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-S", "-P", "-c", PROBE, json.dumps(entries)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def domain_actions() -> set[str]:
    """The custom actions the Rasa domain names, which the action server must serve."""
    names: set[str] = set()
    for part in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        names.update(yaml.safe_load(part.read_text()).get("actions") or [])
    assert names, "the domain names its actions"
    return names


def packages() -> list[str]:
    """The top-level packages pyproject.toml lists, as ``make typecheck`` reads them."""
    found: list[str] = runpy.run_path(str(ROOT / "scripts" / "packages.py"))["top_level_packages"]()
    return found


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    return build(
        tmp_path_factory.mktemp("image"),
        (DEPLOY / "Dockerfile").read_text(),
        (DEPLOY / "Dockerfile.dockerignore").read_text(),
    )


def test_every_process_imports_its_entry_module_from_the_installed_packages(
    image: Image, tmp_path: Path
) -> None:
    entries = ["api.main:app", "sandbox.app:create_app", "cases.provision.cli:main"]
    result = probe(image, entries + list(compose_entries().values()), tmp_path)

    ours = {
        name: file for name, file in result["files"].items() if name.partition(".")[0] in packages()
    }
    assert {"api.main", "sandbox.app", "cases.provision.cli", "actions.kit.server"} <= set(ours)
    assert all(Path(file).is_relative_to(image.target) for file in ours.values()), ours
    assert domain_actions() - set(result["actions"]) == set()


def test_the_image_installs_every_package_pyproject_lists(image: Image) -> None:
    assert packages(), "pyproject lists packages"
    assert [name for name in packages() if not (image.target / name).is_dir()] == []


def test_the_image_holds_the_package_data_and_data_files_read_at_run_time(image: Image) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    wanted = [
        path.relative_to(ROOT)
        for package, globs in package_data.items()
        for glob in globs
        for path in (ROOT / package.replace(".", "/")).glob(glob)
        if path.is_file()
    ]
    data = image.path(image.workdir / "data")
    repository_data = [p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*")]

    assert wanted, "pyproject names the packages' templates and static files"
    assert [path for path in wanted if not (image.target / path).is_file()] == []
    assert repository_data, "data/ holds the case templates and the seed domain"
    assert [path for path in repository_data if not (data / path).exists()] == []


@pytest.mark.skipif(not UV.exists(), reason="uv is bootstrapped by make into .tools/")
def test_the_image_installs_the_locked_versions_the_tests_run_with(image: Image) -> None:
    pins = exported_pins(image, UV)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = {
        canonicalize_name(Requirement(line).name) for line in config["project"]["dependencies"]
    }

    assert wanted <= set(pins), "every dependency pyproject lists is pinned for the image"
    assert "casebot" not in pins and "pytest" not in pins, "neither casebot nor dev tools"
    assert {name: version for name, version in pins.items() if installed(name) != version} == {}
