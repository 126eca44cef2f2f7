"""Every repository path the prose names exists: in the Markdown files (README.md, docs/,
bench/, deploy/) and in the docstrings and comments of the project's Python files.

What counts as a path, so that drift is caught without flagging what is not one:

- a token ``folder/...`` whose first folder is a top-level folder of the repository
  (``services/rpc/transport.py``, ``tests/unit/bench/``), not preceded by ``/``, ``.``, a word
  character or ``:`` (so URLs, ``/opt/venv``, ``../x`` and ``host:port/x`` are left out); it
  may name a file or a folder;
- a Markdown link target that is not a URL or an anchor, resolved from the file's folder;
- a dotted name in backticks whose first part is a top-level Python package
  (``services.rpc.entrypoint``, ``rpc_client.client.RpcClient``): its modules must be files of
  the tree, and the first name after the module must be defined in it.

Tokens with ``<``, ``*``, ``{``, ``$`` or ``...`` are patterns, not paths, and are skipped.
Paths that only exist at run time are declared in ``RUNTIME_PATHS`` with the reason.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PYTHON_FOLDERS = (
    "services",
    "common",
    "rpc_client",
    "web",
    "gateway",
    "frontend",
    "admin",
    "scripts",
    "bench",
    "tests",
    "migrations",
)
MARKDOWN_FOLDERS = ("docs", "bench", "deploy")
UNCHECKED_FILES = {
    "docs/performance-profiles.md": "the profiler's record of one run: its frames name the "
    "files as they were at that run's commit",
    "tests/e2e/vendor/README.md": "describes third-party files as their authors lay them out",
}
RUNTIME_PATHS = {
    "var/": "written at run time by make run, make bench and the scripts; not in the repository",
}
PATTERN_MARKS = ("<", "*", "{", "$", "...")
NOT_MODULES = {
    "log",
    "py",
    "yaml",
    "yml",
    "json",
    "md",
    "txt",
    "db",
    "env",
    "conf",
    "lua",
    "sh",
    "html",
    "css",
    "js",
    "cfg",
    "ini",
    "toml",
    "sqlite",
    "lock",
    "pid",
}


def top_level_folders():
    return sorted(
        path.name
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith((".", "_"))
        and not path.name.endswith(".egg-info")
    )


def python_packages():
    """The top-level folders that hold Python modules (``scripts`` is a namespace package)."""
    return sorted(name for name in top_level_folders() if any((ROOT / name).glob("*.py")))


def path_pattern(folders):
    return re.compile(r"(?<![\w./:-])((?:%s)/[\w./<>*{}$-]*)" % "|".join(map(re.escape, folders)))


LINK = re.compile(r"\]\(([^)\s]+)\)")
BACKTICKED = re.compile(r"``?([^`\n]+?)``?")


def dotted_pattern(packages):
    return re.compile(r"(?<![\w.])((?:%s)(?:\.\w+)+)" % "|".join(map(re.escape, packages)))


# -- where the prose is ------------------------------------------------------------------


def markdown_files():
    files = [ROOT / "README.md"]
    for folder in MARKDOWN_FOLDERS:
        files += sorted((ROOT / folder).rglob("*.md"))
    return [path for path in files if rel(path) not in UNCHECKED_FILES]


def python_files():
    files = []
    for folder in PYTHON_FOLDERS:
        files += sorted(
            path for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts
        )
    return files


def rel(path):
    return path.relative_to(ROOT).as_posix()


def python_prose(source):
    """``(line number, text)`` of every comment and docstring of a module."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            lines.append((token.start[0], token.string))
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                start = body[0].lineno
                lines += [
                    (start + offset, text)
                    for offset, text in enumerate(body[0].value.value.splitlines())
                ]
    # a string literal right after an assignment documents it (attribute docstrings)
    for parent in ast.walk(tree):
        body = getattr(parent, "body", None)
        if not isinstance(body, list):
            continue
        for before, node in zip(body, body[1:], strict=False):
            if (
                isinstance(before, (ast.Assign, ast.AnnAssign))
                and isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                lines += [
                    (node.lineno + offset, text)
                    for offset, text in enumerate(node.value.value.splitlines())
                ]
    return lines


def prose_lines():
    """``(file, line number, text, is_markdown)`` of all the prose the test reads."""
    for path in markdown_files():
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            yield path, number, text, True
    for path in python_files():
        for number, text in python_prose(path.read_text()):
            yield path, number, text, False


# -- what a line names ---------------------------------------------------------------------


def named_paths(text, folders):
    for match in path_pattern(folders).finditer(text):
        token = re.sub(r":\d+$", "", match.group(1).rstrip(".,:;'\")"))
        if not any(mark in token for mark in PATTERN_MARKS):
            yield token


def link_targets(text):
    for match in LINK.finditer(text):
        target = match.group(1).split("#")[0]
        if target and not re.match(r"^[a-z]+:", target) and not target.startswith("/"):
            yield target


def dotted_names(text, packages):
    for span in BACKTICKED.finditer(text):
        for match in dotted_pattern(packages).finditer(span.group(1)):
            name = match.group(1)
            if name.rsplit(".", 1)[1] not in NOT_MODULES:
                yield name


def defines(module_path, name):
    tree = ast.parse(module_path.read_text())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                return True
        elif isinstance(node, ast.Assign):
            if any(isinstance(target, ast.Name) and target.id == name for target in node.targets):
                return True
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.target.id == name:
                return True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return True
    return False


def module_exists(dotted):
    """Whether ``a.b.c`` names a module, a package or a top-level name of a module."""
    parts = dotted.split(".")
    current = ROOT / parts[0]
    for part in parts[1:]:
        if current.is_dir() and (current / part).is_dir():
            current = current / part
        elif current.is_dir() and (current / f"{part}.py").exists():
            current = current / f"{part}.py"
        elif current.is_dir():
            init = current / "__init__.py"
            return init.exists() and defines(init, part)
        else:
            return defines(current, part)
    return True


def is_runtime(path):
    return any(path == prefix.rstrip("/") or path.startswith(prefix) for prefix in RUNTIME_PATHS)


def missing_paths(lines, folders, packages):
    """``file:line: what`` for every path the lines name that the tree lacks."""
    missing = []
    for path, number, text, is_markdown in lines:
        where = f"{rel(path)}:{number}"
        for named in named_paths(text, folders):
            if not is_runtime(named) and not (ROOT / named).exists():
                missing.append(f"{where}: {named}")
        if is_markdown:
            for target in link_targets(text):
                if not (path.parent / target).exists():
                    missing.append(f"{where}: link {target}")
        for dotted in dotted_names(text, packages):
            if not module_exists(dotted):
                missing.append(f"{where}: module {dotted}")
    return missing


# -- tests ----------------------------------------------------------------------------------


def test_every_path_the_prose_names_exists():
    folders = top_level_folders() + ["var"]
    missing = missing_paths(prose_lines(), folders, python_packages())

    assert not missing, "paths named in prose that the tree lacks:\n" + "\n".join(missing)


def test_a_path_that_does_not_exist_is_reported_with_its_file_and_line():
    doc = ROOT / "README.md"
    lines = [
        (doc, 7, "see `services/rpc/nowhere.py` and [it](NOWHERE.md)", True),
        (doc, 9, "``services.rpc.nowhere`` and ``rpc_client.client.Nothing``", False),
    ]

    missing = missing_paths(lines, top_level_folders(), python_packages())

    assert missing == [
        "README.md:7: services/rpc/nowhere.py",
        "README.md:7: link NOWHERE.md",
        "README.md:9: module services.rpc.nowhere",
        "README.md:9: module rpc_client.client.Nothing",
    ]


def test_urls_patterns_and_runtime_paths_are_not_paths():
    doc = ROOT / "README.md"
    lines = [
        (
            doc,
            1,
            "https://example.org/services/x.py /opt/venv/bin ../services/x.py "
            "tests/unit/<part>/ tests/*.py var/bench/last-run.json "
            "`gateway.log` 127.0.0.1:8000/gateway/x [a](https://x.org/y)",
            True,
        )
    ]

    assert missing_paths(lines, top_level_folders() + ["var"], python_packages()) == []


def test_real_paths_and_modules_are_found():
    doc = ROOT / "README.md"
    lines = [
        (
            doc,
            1,
            "`services/rpc/transport.py`, tests/unit/bench/, (common/errors.py), "
            "`rpc_client.client.RpcClient`, ``services.rpc``",
            True,
        )
    ]

    assert missing_paths(lines, top_level_folders(), python_packages()) == []
