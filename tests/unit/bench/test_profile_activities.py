"""The profile's activity buckets (``bench.results.ACTIVITIES``) name what exists: every project
file is a file of the tree, every package is installed, every function is a method of a class
of the packages the bucket is about. A moved or renamed module then fails here instead of
silently leaving its samples in "other"."""

import ast
import importlib
from pathlib import Path

import pytest

from bench import results

ROOT = Path(__file__).resolve().parents[3]
FUNCTION_PACKAGES = ("nameko", "kombu", "amqp")
"""Where the buckets' ``Class.method`` names are defined."""


def bucket_entries(kind):
    for activity, packages, functions, _ in results.ACTIVITIES:
        for entry in packages if kind == "packages" else functions:
            yield pytest.param(entry, id=f"{activity}: {entry}")


def methods_of(package):
    """``Class.method`` of every method defined in an installed package's modules."""
    folder = Path(importlib.import_module(package).__file__).parent
    found = set()
    for module in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(errors="replace"))):
            if isinstance(node, ast.ClassDef):
                found.update(
                    f"{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
    return found


@pytest.mark.parametrize("entry", bucket_entries("packages"))
def test_each_package_or_project_file_of_a_bucket_exists(entry):
    if "/" in entry:
        assert (ROOT / entry).is_file(), f"{entry} is not a file of the tree"
        assert results.package_of(entry) == entry
    else:
        importlib.import_module(entry)


@pytest.mark.parametrize("entry", bucket_entries("functions"))
def test_each_function_of_a_bucket_is_a_method_of_the_amqp_packages(entry):
    assert any(entry in methods_of(package) for package in FUNCTION_PACKAGES), (
        f"no class of {', '.join(FUNCTION_PACKAGES)} defines {entry}"
    )


def test_the_services_request_log_counts_as_logging():
    frames = [("_run_worker", "nameko/containers.py"), ("log_call", "services/rpc/request_log.py")]

    assert results.activity_of(frames) == "logging (request and access logs)"
