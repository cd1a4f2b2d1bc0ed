"""The package builds, passes ``twine check``, ships lean, and its metadata tells the truth."""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What an sdist may hold at its top level: the package, its tests, examples and docs.
SDIST_TOP_LEVEL = {
    "aircall_async",
    "tests",
    "examples",
    "docs",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "pyproject.toml",
    "PKG-INFO",
    ".gitignore",
}
JUNK = re.compile(
    r"(__pycache__|\.pyc$|\.mypy_cache|\.ruff_cache|\.pytest_cache|\.venv|\.sqlite3$)"
)


def claimed_in_scripts_test() -> list[str]:
    text = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    found = re.search(r'^CLAIMED_PYTHONS="([^"]+)"', text, re.MULTILINE)
    assert found, "scripts/test must list CLAIMED_PYTHONS"
    return found.group(1).split()


def claimed_in_readme() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^Supported Python versions: ([^(]+)\(", text, re.MULTILINE)
    assert found, "README.md must have a 'Supported Python versions:' line"
    return re.findall(r"3\.\d+", found.group(1))


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel, built from this checkout (no network: --no-isolation)."""
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)]
    result = subprocess.run(build, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def metadata(dists: dict[str, Path]) -> Message:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(wheel.read(name))


@pytest.mark.slow
def test_twine_check_is_clean(dists: dict[str, Path]) -> None:
    check = [sys.executable, "-m", "twine", "check", "--strict", *map(str, dists.values())]
    result = subprocess.run(check, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


@pytest.mark.slow
def test_the_sdist_is_lean(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level <= SDIST_TOP_LEVEL, top_level - SDIST_TOP_LEVEL
    assert {"aircall_async", "LICENSE", "README.md", "pyproject.toml"} <= top_level
    assert not [name for name in names if JUNK.search(name)]


@pytest.mark.slow
def test_the_wheel_is_typed_and_carries_the_license(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
    assert "aircall_async/py.typed" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not [name for name in names if not name.startswith("aircall_async")]
    assert not [name for name in names if JUNK.search(name)]


@pytest.mark.slow
def test_metadata_declares_what_pypi_shows(metadata: Message) -> None:
    assert metadata["Name"] == "aircall-async"
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Author"]
    assert metadata.get_all("Project-URL")
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {"Framework :: AsyncIO", "Typing :: Typed"} <= classifiers
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "pip install aircall-async" in str(metadata.get_payload())


@pytest.mark.slow
def test_claimed_pythons_agree_everywhere(metadata: Message) -> None:
    classifiers = metadata.get_all("Classifier") or []
    in_classifiers = sorted(
        (c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)),
        key=lambda v: int(v.split(".")[1]),
    )
    assert in_classifiers == claimed_in_readme() == claimed_in_scripts_test()
    assert metadata["Requires-Python"] == f">={in_classifiers[0]}"


def test_the_license_file_is_the_declared_mit_license() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text
    assert re.search(r'^license = "MIT"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)


def test_the_readme_opens_with_the_setup_commands_then_pip_install() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# aircall-async"
    first_screen = "\n".join(lines[:30])
    demo, test = first_screen.find("./scripts/demo"), first_screen.find("./scripts/test")
    pip, tour = first_screen.find("pip install aircall-async"), first_screen.find("## Quick tour")
    assert 0 < demo < test < pip < tour, "title, set-up commands, pip install, quick tour"
