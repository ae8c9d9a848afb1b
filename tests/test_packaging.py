"""The installed command works outside the source tree, with its data files."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def test_installed_command_finds_its_spiders_and_site_tables_from_any_folder(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "newsarchive"
    listed = subprocess.run([str(command), "crawl", "--list"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert {"people", "epaper", "generic"} <= set(listed.stdout.split())
    # the channel table is package data: an unknown channel is answered from it, before any fetch
    unknown = subprocess.run(
        [str(command), "--db", f"sqlite:///{tmp_path / 'a.db'}", "crawl", "people", "-a", "channel=atlantis"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert unknown.returncode == 2
    assert "use one of:" in unknown.stderr and "js" in unknown.stderr


#: The packages the ``newsarchive`` command is made of (tests and bench are not installed for it).
RUNTIME_PACKAGES = ("archive", "cli", "crawler", "migrations", "models", "operations", "pipelines", "web")
#: Imported only by optional plugins, each named with the extra that brings it.
OPTIONAL = {"datasette": "archive/datasette_plugin.py (the datasette extra)"}


def _third_party_imports() -> dict[str, str]:
    """Top-level module name → first file importing it, over the runtime packages."""
    repo = Path(__file__).resolve().parents[1]
    found: dict[str, str] = {}
    for package in RUNTIME_PACKAGES:
        for path in sorted((repo / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in RUNTIME_PACKAGES and top != "__future__":
                        found.setdefault(top, str(path.relative_to(repo)))
    return found


def _requirement_closure() -> set[str]:
    """Normalised names of every distribution a plain ``pip install .`` (no extras) brings."""
    closure: set[str] = set()
    pending = ["newsarchive"]
    while pending:
        name = canonicalize_name(pending.pop())
        if name in closure:
            continue
        closure.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return closure


def test_a_plain_install_brings_every_package_the_command_imports() -> None:
    closure = _requirement_closure()
    providers = metadata.packages_distributions()
    missing = {
        module: where for module, where in _third_party_imports().items()
        if module not in OPTIONAL and not {canonicalize_name(d) for d in providers.get(module, [])} & closure
    }
    assert not missing, f"imported but not brought by the dependencies in pyproject.toml: {missing}"
