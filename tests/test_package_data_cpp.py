"""`verify --cpp` builds runtime/data/cpp_loader.cpp: a non-editable install must ship it
(checked by hand with `pip install .` into a fresh venv; this holds the pyproject entry)."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_cpp_loader_source_is_package_data_of_jitlint_runtime():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["jitlint.runtime"]
    assert (ROOT / "runtime" / "data" / "cpp_loader.cpp").is_file()
    assert any(fnmatch.fnmatch("data/cpp_loader.cpp", g) for g in globs), globs
