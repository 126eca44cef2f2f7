"""The import rule of docs/ARCHITECTURE.md, checked on the source tree with ``ast``:

``common`` imports nothing of the project; ``rpc_client`` and ``web`` import only
``common``; a service imports ``common``, ``services.rpc`` and its own packages, never
another service, ``rpc_client`` or ``web``; the clients (``gateway``, ``frontend``,
``admin``, ``scripts``) import ``common``, ``rpc_client`` and ``web``, never ``services``.
Only ``services.database`` imports SQLAlchemy or Alembic, and no service imports Flask.

The rule covers the folders it names, the running system. The other folders are tools
around it, which take it apart on purpose: ``bench/`` (its baseline is a monolith running
the services' code in one process), ``deploy/``, ``migrations/`` (the database package's
Alembic scripts) and ``tests/``.
"""

import ast
import subprocess
import sys

import pytest

from common.config import PROJECT_ROOT

MAY_IMPORT = {
    "common": set(),
    "rpc_client": {"common"},
    "web": {"common"},
    "services": {"common"},
    "gateway": {"common", "rpc_client", "web"},
    "frontend": {"common", "rpc_client", "web"},
    "admin": {"common", "rpc_client", "web"},
    "scripts": {"common", "rpc_client", "web"},
}
"""Each folder the rule covers, and the other folders of the project it may import."""
SERVICES = {
    "services.users": {"services.accounts"},
    "services.blog": {"services.articles"},
    "services.storage": {"services.database", "services.backups"},
}
"""Each service and its own packages."""
SERVER_SIDE_OF_RPC = "services.rpc"
"""What every service imports of ``services`` besides its own packages."""
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "nameko_sqlalchemy")


def module_name(path):
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name):
    path = PROJECT_ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path):
    """Every module ``path`` imports; ``from package import module`` names the module."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield submodule if is_module(submodule) else node.module


def within(name, package):
    return name == package or name.startswith(package + ".")


def folder_of(name):
    return name.split(".")[0]


def of_the_project(name):
    return is_module(folder_of(name)) or (PROJECT_ROOT / folder_of(name)).is_dir()


IMPORTS = {
    module_name(path): set(imports_of(path))
    for folder in MAY_IMPORT
    for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
}


def test_the_tree_is_read():
    assert {
        "common.errors",
        "rpc_client.client",
        "web.proxies",
        "services.storage",
        "services.database.access",
        "gateway.app",
        "admin.blogadmin",
        "scripts.demo_post",
    } <= set(IMPORTS)


def test_every_folder_with_python_is_covered_by_the_rule_or_named_outside_it():
    folders = {
        folder.name
        for folder in PROJECT_ROOT.iterdir()
        if folder.is_dir() and not folder.name.startswith(".") and any(folder.rglob("*.py"))
    }
    assert folders - set(MAY_IMPORT) == {"bench", "deploy", "migrations", "tests"}


@pytest.mark.parametrize("folder", MAY_IMPORT)
def test_a_folder_imports_only_itself_and_what_the_rule_allows(folder):
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if folder_of(module) == folder
        for imported in imported_names
        if of_the_project(imported) and folder_of(imported) not in {folder, *MAY_IMPORT[folder]}
    }
    assert wrong == set()


def test_every_module_of_services_belongs_to_a_service_or_to_the_server_side_of_rpc():
    owners = [
        SERVER_SIDE_OF_RPC,
        *SERVICES,
        *(package for own in SERVICES.values() for package in own),
    ]
    wrong = {
        module
        for module in IMPORTS
        if within(module, "services")
        and module != "services"
        and not any(within(module, owner) for owner in owners)
    }
    assert wrong == set()


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service_nor_its_packages(service):
    own = (service, *SERVICES[service])
    allowed = (SERVER_SIDE_OF_RPC, *own)
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if any(within(module, part) for part in own)
        for imported in imported_names
        if within(imported, "services")
        and imported != "services"
        and not any(within(imported, part) for part in allowed)
    }
    assert wrong == set()


def test_the_server_side_of_rpc_imports_no_service():
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if within(module, SERVER_SIDE_OF_RPC)
        for imported in imported_names
        if within(imported, "services")
        and imported != "services"
        and not within(imported, SERVER_SIDE_OF_RPC)
    }
    assert wrong == set()


def test_only_the_database_package_imports_sqlalchemy():
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if not within(module, "services.database")
        for imported in imported_names
        if any(within(imported, library) for library in DATABASE_LIBRARIES)
    }
    assert wrong == set()


def test_services_never_import_flask():
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if within(module, "services")
        for imported in imported_names
        if within(imported, "flask")
    }
    assert wrong == set()


def test_a_service_process_loads_nothing_of_the_client_side():
    """What the services load at run time, not only what their files name: neither the
    web tier's read cache nor anything else of ``rpc_client`` or ``web`` enters a service
    process."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, services.users, services.blog, services.storage; print(*sys.modules)",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "services.users" in loaded and "common.wire" in loaded
    assert [name for name in loaded if folder_of(name) in ("rpc_client", "web")] == []
