"""The services hold to the contract (``common/contract.py``), and everything derived from
it agrees with it.

The checker reads the real services: their ``@rpc`` and event handler entrypoints through
nameko's entrypoint registration, and the events each method dispatches from the source
of its module (an ``ast`` scan of ``self.dispatch(EVENT.name, ...)``, following the
methods it calls on ``self``). Each kind of drift is shown by planting one."""

import ast
import inspect
import re
import textwrap

import pytest
from nameko.events import EventHandler, event_handler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc

from admin import broker_accounts
from common import contract
from common.contract import USER_DELETED, Event
from common.errors import EXPECTED
from rpc_client import read_cache
from scripts import rpc_doc
from services import blog, storage, users
from services.blog import BlogService
from services.rpc.entrypoint import rpc
from services.storage import StorageService
from services.users import UsersService

SERVICES = {UsersService: users, BlogService: blog, StorageService: storage}


def entrypoints(service_class, kind):
    """``{method name: [entrypoint, ...]}`` of ``service_class``'s entrypoints of ``kind``."""
    found = {}
    for name, member in inspect.getmembers(service_class):
        for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, kind):
                found.setdefault(name, []).append(entrypoint)
    return found


def dispatches(class_node, namespace):
    """``{method name: {event name, ...}}``: what each method of the class dispatches,
    itself or through the methods it calls on ``self``. A dispatch must name its event as
    ``CONSTANT.name`` of a contract ``Event``; anything else is reported as ``str``."""
    direct, calls = {}, {}
    for function in class_node.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        direct[function.name], calls[function.name] = set(), set()
        for node in ast.walk(function):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "self"
            ):
                continue
            if node.func.attr == "dispatch":
                direct[function.name].add(_event_name(node.args[0], namespace))
            else:
                calls[function.name].add(node.func.attr)

    def reached(name, seen):
        found = set(direct.get(name, ()))
        for callee in calls.get(name, set()) - seen:
            found |= reached(callee, seen | {callee})
        return found

    return {name: reached(name, {name}) for name in direct}


def _event_name(argument, namespace):
    if isinstance(argument, ast.Attribute) and argument.attr == "name":
        event = eval(compile(ast.Expression(argument.value), "<dispatch>", "eval"), namespace)
        if isinstance(event, Event):
            return event.name
    return f"not a contract event: {ast.unparse(argument)}"


def class_node(source, name):
    return next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and node.name == name
    )


def problems(service_class, source, namespace):
    """How ``service_class`` (whose module has ``source`` and ``namespace``) and the
    contract disagree, one line each; empty when they agree."""
    service = service_class.name
    declared = contract.METHODS[service]
    methods = entrypoints(service_class, Rpc)
    found = [
        f"{service}.{name}: an @rpc method the contract lacks"
        for name in sorted(methods.keys() - declared.keys())
    ]
    found += [
        f"{service}.{name}: declared, but the service has no such @rpc method"
        for name in sorted(declared.keys() - methods.keys())
    ]
    dispatched = dispatches(class_node(source, service_class.__name__), namespace)
    for name in sorted(methods.keys() & declared.keys()):
        expected = {event.name for event in declared[name].dispatches}
        if dispatched.get(name, set()) != expected:
            found.append(
                f"{service}.{name} dispatches {sorted(dispatched.get(name, ()))}, "
                f"the contract says {sorted(expected)}"
            )
    all_dispatched = set().union(*dispatched.values())
    own = {event.name for event in contract.dispatched_by(service)}
    found += [
        f"{service} dispatches {name}, which the contract lacks"
        for name in sorted(all_dispatched - own)
    ]
    found += [
        f"{service} never dispatches its declared {name}" for name in sorted(own - all_dispatched)
    ]
    handled = {
        (handler.source_service, handler.event_type)
        for handlers in entrypoints(service_class, EventHandler).values()
        for handler in handlers
    }
    declared_handled = {(event.source, event.name) for event in contract.HANDLES.get(service, ())}
    if handled != declared_handled:
        found.append(
            f"{service} handles {sorted(handled)}, the contract says {sorted(declared_handled)}"
        )
    return found


def real(service_class):
    module = SERVICES[service_class]
    return inspect.getsource(module), vars(module)


@pytest.mark.parametrize("service_class", list(SERVICES))
def test_every_service_holds_to_the_contract(service_class):
    assert problems(service_class, *real(service_class)) == []


def test_the_contract_declares_exactly_the_three_services():
    assert set(contract.METHODS) == {service_class.name for service_class in SERVICES}


def test_a_planted_rpc_method_the_contract_lacks_is_reported():
    class Planted(UsersService):
        @rpc
        def reset_everything(self):
            pass

    source = inspect.getsource(users)
    assert problems(
        Planted, source.replace("class UsersService", "class Planted"), vars(users)
    ) == ["users.reset_everything: an @rpc method the contract lacks"]


def test_a_declared_method_the_service_lacks_is_reported(monkeypatch):
    monkeypatch.setitem(
        contract.METHODS,
        "blog",
        {**contract.METHODS["blog"], "archive": contract.write(contract.ADMIN)},
    )
    assert problems(BlogService, *real(BlogService)) == [
        "blog.archive: declared, but the service has no such @rpc method"
    ]


def test_a_planted_undeclared_event_is_reported():
    planted = Event("blog", "article_exploded", ("slug",))
    source, namespace = real(BlogService)
    source = source.replace(
        "self.dispatch(ARTICLE_UPDATED.name", "self.dispatch(ARTICLE_EXPLODED.name"
    )
    assert problems(BlogService, source, {**namespace, "ARTICLE_EXPLODED": planted}) == [
        "blog.update_article dispatches ['article_exploded'], the contract says "
        "['article_updated']",
        "blog dispatches article_exploded, which the contract lacks",
        "blog never dispatches its declared article_updated",
    ]


def test_an_event_named_by_a_string_is_reported():
    source, namespace = real(UsersService)
    source += textwrap.indent(
        textwrap.dedent("""
        @rpc
        def sign_out_everyone(self):
            self.dispatch("everyone_signed_out", {})
    """),
        "    ",
    )
    reported = problems(UsersService, source, namespace)
    assert (
        "users dispatches not a contract event: 'everyone_signed_out', which the "
        "contract lacks" in reported
    )


def test_an_event_dispatched_through_a_helper_counts_for_the_method(monkeypatch):
    """storage.backup dispatches through ``_backup``: a declaration of ``backup`` without
    one of its events is reported."""
    monkeypatch.setitem(
        contract.METHODS,
        "storage",
        {
            **contract.METHODS["storage"],
            "backup": contract.write(contract.ADMIN, dispatches=(contract.BACKUP_COMPLETED,)),
        },
    )
    assert problems(StorageService, *real(StorageService)) == [
        "storage.backup dispatches ['backup_completed', 'backup_failed'], the contract says "
        "['backup_completed']"
    ]


def test_a_planted_event_handler_the_contract_lacks_is_reported():
    class Planted(BlogService):
        @event_handler("users", "user_registered")
        def welcome(self, payload):
            pass

    source = inspect.getsource(blog).replace("class BlogService", "class Planted")
    assert problems(Planted, source, vars(blog)) == [
        "blog handles [('users', 'user_deleted'), ('users', 'user_registered')], the "
        "contract says [('users', 'user_deleted')]"
    ]


def test_event_names_are_unique_and_each_is_declared_once():
    names = [event.name for event in contract.EVENTS]
    assert len(names) == len(set(names))
    constants = [value for value in vars(contract).values() if isinstance(value, Event)]
    assert sorted(constants, key=str) == sorted(contract.EVENTS, key=str)


def test_a_method_dispatches_only_its_own_services_events():
    for service, name, method in contract.methods():
        assert all(event.source == service for event in method.dispatches), (service, name)


def test_only_a_read_may_be_cached_and_only_a_write_dispatches():
    with pytest.raises(ValueError, match="only a read"):
        contract.Method(contract.Access.WRITE, frozenset(), web_cached=True)
    with pytest.raises(ValueError, match="only a write"):
        contract.Method(contract.Access.READ, frozenset(), dispatches=(USER_DELETED,))
    with pytest.raises(ValueError, match="unknown callers"):
        contract.read("robots")


def test_the_read_cache_classification_comes_from_the_contract():
    assert read_cache.CACHED_READS == {
        ("blog", "get_article"),
        ("blog", "list_articles"),
        ("blog", "feed"),
        ("blog", "list_comments"),
        ("blog", "list_tags"),
        ("users", "get_profile"),
        ("users", "verify_token"),
        ("users", "verify_session"),
    }
    assert ("users", "register") in read_cache.WRITES
    assert ("users", "start_session") not in read_cache.WRITES  # no cached read changes
    assert not read_cache.CACHED_READS & read_cache.WRITES


def test_the_broker_accounts_come_from_the_contract():
    for part, account in broker_accounts.ACCOUNTS.items():
        assert account["calls"] == contract.calls_of(part)
        for service, methods in account["calls"].items():
            for method in methods:
                assert part in contract.METHODS[service][method].callers
    assert broker_accounts.ACCOUNTS["blog"]["handles"] == {"users.events": ["user_deleted"]}
    assert broker_accounts.ACCOUNTS["storage"]["dispatches"] == {
        "storage.events": ["restore_completed", "backup_completed", "backup_failed"]
    }
    assert broker_accounts.ACCOUNTS["gateway"]["handles"] == contract.by_exchange(
        contract.read_clearing_events()
    )


def test_the_rpc_entrypoint_expects_the_project_errors_unless_told_otherwise():
    for service_class in SERVICES:
        for name, (entrypoint,) in entrypoints(service_class, Rpc).items():
            assert entrypoint.expected_exceptions == EXPECTED, name

    class Explicit:
        @rpc(expected_exceptions=KeyError)
        def method(self):
            pass

    (entrypoint,) = entrypoints(Explicit, Rpc)["method"]
    assert entrypoint.expected_exceptions == KeyError


def test_the_committed_rpc_doc_is_generated_from_the_contract():
    """After changing the contract: ``python -m scripts.rpc_doc`` rewrites the tables."""
    assert rpc_doc.DOC.read_text() == rpc_doc.with_tables(rpc_doc.DOC.read_text())


@pytest.mark.parametrize("service", ["users", "blog"])
def test_the_rpc_doc_describes_every_method_of_the_contract(service):
    """The hand-written tables of results and errors name exactly the declared methods."""
    section = rpc_doc.DOC.read_text().split(f"\n## {service}\n")[1].split("\n## ")[0]
    described = set(re.findall(r"`(\w+)\(", section))
    assert described == set(contract.METHODS[service])


@pytest.mark.parametrize("service_class", list(SERVICES))
def test_every_rpc_method_states_its_argument_and_result_types(service_class):
    for name in entrypoints(service_class, Rpc):
        signature = inspect.signature(getattr(service_class, name))
        untyped = [
            parameter.name
            for parameter in list(signature.parameters.values())[1:]
            if parameter.annotation is inspect.Parameter.empty
        ]
        assert not untyped, (name, untyped)
        assert signature.return_annotation is not inspect.Signature.empty, name
