"""The import rules of docs/ARCHITECTURE.md, checked on the source tree with ``ast``:

- the web apps, the admin tools and the scripts are RPC clients: of ``services`` they
  import only the client side (config, errors, timestamps, the RPC client and probes);
- services never import each other, and each service's own packages are its alone
  (accounts: users; articles: blog; database and backups: storage);
- the shared modules (config, errors, timestamps, field validation, clock, rpc) import
  no service and no service's package;
- only the database package imports SQLAlchemy, Alembic or nameko-sqlalchemy, and no
  service imports Flask.
"""
import ast

import pytest

from services.config import PROJECT_ROOT

CLIENTS = ("gateway", "frontend", "admin", "scripts", "bench")
CLIENT_SIDE = {"services", "services.config", "services.errors", "services.timestamps",
               "services.rpc", "services.rpc.client", "services.rpc.probes",
               "services.rpc.read_cache", "services.rpc.broker_accounts", "services.proxies",
               "services.secret_keys"}
SERVICES = ("services.users", "services.blog", "services.storage")
OWNERS = {
    "services.accounts": {"services.users"},
    "services.articles": {"services.blog"},
    "services.database": {"services.storage", "services.backups"},
    "services.backups": {"services.storage"},
}
DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "nameko_sqlalchemy")
MONOLITH_BASELINE = {"bench.service_code", "bench.monolith", "bench.seed_data", "bench.run"}
"""The benchmark's baseline is the monolith this project replaces: it runs storage's queries
and the services' rules in one process on purpose (taking them all from
``bench/service_code.py``), and the benchmark seeds and counts rows in the databases
directly, so the rules of the architecture do not apply to them."""


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


def source_files(*folders):
    return [path for folder in folders for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))]


IMPORTS = {
    module_name(path): set(imports_of(path))
    for path in source_files("services", *CLIENTS)
    if module_name(path) not in MONOLITH_BASELINE
}


def test_the_tree_is_read():
    assert {"services.storage", "services.database.access", "gateway.app",
            "admin.blogadmin"} <= set(IMPORTS)


@pytest.mark.parametrize("client", CLIENTS)
def test_clients_import_only_the_client_side_of_services(client):
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items() if within(module, client)
        for imported in imported_names
        if within(imported, "services") and imported not in CLIENT_SIDE
    }
    assert wrong == set()


def test_services_never_import_each_other():
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        for imported in imported_names
        if imported in SERVICES and imported != module
    }
    assert wrong == set()


@pytest.mark.parametrize("package", OWNERS)
def test_a_service_package_is_imported_only_by_its_service(package):
    wrong = {
        (module, imported)
        for module, imported_names in IMPORTS.items()
        if not within(module, package)
        and not any(within(module, owner) for owner in OWNERS[package])
        for imported in imported_names if within(imported, package)
    }
    assert wrong == set()


def test_shared_modules_import_no_service_and_no_service_package():
    shared = [module for module in IMPORTS
              if within(module, "services") and module != "services"
              and not any(within(module, owned) for owned in (*SERVICES, *OWNERS))]
    assert "services.rpc.client" in shared and "services.errors" in shared
    wrong = {
        (module, imported)
        for module in shared for imported in IMPORTS[module]
        if any(within(imported, owned) for owned in (*SERVICES, *OWNERS))
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
        for module, imported_names in IMPORTS.items() if within(module, "services")
        for imported in imported_names if within(imported, "flask")
    }
    assert wrong == set()
