"""Issue 12 (medium): least privilege on a real RabbitMQ. Each part runs under its own
account (``admin.broker_accounts``, created by ``admin.broker_setup`` through
the management API, in this test's own virtual host); the web tier reaches only the
users and blog methods it uses, never storage's data and never the admin operations."""

import time
import uuid
from urllib.parse import quote

import kombu
import pytest
import requests

from admin import broker_accounts
from admin.broker_setup import ManagementApi, ensure_all
from common.errors import NotFound, Unauthenticated
from rpc_client.client import RpcClient
from rpc_client.read_cache import InvalidationListener, ReadCache
from services.blog import BlogService
from services.storage import StorageService
from services.users import UsersService
from tests.integration.conftest import services_config
from tests.support.polling import wait_until

MANAGEMENT = "http://guest:guest@127.0.0.1:15672"
PASSWORD = "correct horse battery"


@pytest.fixture
def vhost():
    name = f"blog-perm-{uuid.uuid4().hex[:10]}"
    host = quote(name, safe="")
    requests.put(f"{MANAGEMENT}/api/vhosts/{host}", timeout=10).raise_for_status()
    api = ManagementApi(MANAGEMENT)
    try:
        yield name
    finally:
        requests.delete(f"{MANAGEMENT}/api/vhosts/{host}", timeout=10)
        api.delete_accounts(name)


@pytest.fixture
def part_uris(vhost):
    base = f"pyamqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    return ensure_all(base, ManagementApi(MANAGEMENT))


@pytest.fixture
def system(container_factory, make_databases, part_uris, tmp_path):
    """storage, users and blog, each under its own account; returns a config maker."""
    uris = make_databases("sqlite")

    def config_of(part):
        config = services_config({"AMQP_URI": part_uris[part]}, uris, tmp_path / "backups")
        return {**config, "serializer": "json"}

    for part, service in (
        ("storage", StorageService),
        ("users", UsersService),
        ("blog", BlogService),
    ):
        container_factory(service, config_of(part)).start()
    return config_of


def client_of(config, part):
    return RpcClient(config(part), timeout=10)


def refused(client, service, method, **kwargs):
    """True when the broker refuses the request (the call never reaches the service)."""
    try:
        client.call(service, method, **kwargs)
    except Exception as exc:  # noqa: BLE001 - an access refusal, whatever the wrapper
        return "ACCESS_REFUSED" in repr(exc) or "403" in repr(exc) or "access" in repr(exc)
    return False


def test_every_part_does_its_work_under_its_own_account(system):
    frontend = client_of(system, "frontend")
    gateway = client_of(system, "gateway")
    try:
        ann = frontend.users.register(username="ann", email="ann@example.com", password=PASSWORD)
        session = frontend.users.start_session(token=ann["token"])["token"]
        assert frontend.users.verify_session(token=session)["id"] == ann["id"]
        article = frontend.blog.create_article(
            author_id=ann["id"], title="Hi", description="d", body="b"
        )
        assert gateway.blog.get_article(slug=article["slug"])["author"]["username"] == "ann"
        assert gateway.storage.health()["users"]["ok"]
        bob = gateway.users.register(username="bob", email="bob@example.com", password=PASSWORD)
        gateway.users.follow_user(follower_id=bob["id"], username="ann")
        assert gateway.blog.feed(user_id=bob["id"])["articles_count"] == 1
        admin = client_of(system, "admin")
        admin.users.delete_user(username="ann")  # blog removes her article on the event
        admin.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                gateway.blog.get_article(slug=article["slug"])
            except NotFound:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the blog service did not handle user_deleted under its account")
    finally:
        frontend.close()
        gateway.close()


@pytest.mark.parametrize("part", ["frontend", "gateway"])
@pytest.mark.parametrize(
    "service, method, kwargs",
    [
        ("storage", "users_get_credentials", {"email": "ann@example.com"}),
        ("storage", "users_update", {"user_id": 1, "changes": {"banned": True}}),
        ("storage", "backup", {}),
        ("users", "delete_user", {"username": "ann"}),
        ("users", "ban_user", {"username": "ann"}),
        ("users", "list_users", {}),
        ("blog", "handle_user_deleted", {"payload": {"id": 1}}),
    ],
)
def test_the_web_tier_cannot_reach_storage_or_admin_operations(
    system, part, service, method, kwargs
):
    client = client_of(system, part)
    try:
        client.users.register(username="ann", email="ann@example.com", password=PASSWORD)
    except Exception:  # noqa: BLE001 - registered by an earlier parametrisation's connection
        pass
    try:
        assert refused(client, service, method, **kwargs)
    finally:
        client.close()
    admin = client_of(system, "admin")
    try:
        assert admin.users.list_users()["users_count"] == 1  # nothing happened to ann
        assert not admin.users.list_users()["users"][0]["banned"]
    finally:
        admin.close()


def test_a_browser_session_is_verified_for_the_frontend_only(system):
    """Issue 20: the gateway's account may not ask about a session, and the API token
    check it may ask refuses one, so a session token copied out of a cookie opens no API."""
    frontend = client_of(system, "frontend")
    gateway = client_of(system, "gateway")
    try:
        cat = frontend.users.register(username="cat", email="cat@example.com", password=PASSWORD)
        session = frontend.users.start_session(token=cat["token"])["token"]
        assert frontend.users.verify_session(token=session)["id"] == cat["id"]
        with pytest.raises(Unauthenticated, match="not an API token"):
            gateway.users.verify_token(token=session)
        assert refused(gateway, "users", "verify_session", token=session)
    finally:
        frontend.close()
        gateway.close()


def test_the_web_tier_cannot_listen_in_on_other_traffic(system, part_uris):
    """Binding a queue to every request, or consuming a service's queue, is refused."""
    for routing_key in ("#", "storage.*", "users.login"):
        with kombu.Connection(part_uris["frontend"]) as connection:
            channel = connection.channel()
            exchange = kombu.Exchange("nameko-rpc", type="topic", durable=True)
            queue = kombu.Queue(
                f"rpc.reply-standalone_rpc_proxy-{uuid.uuid4()}",
                exchange,
                routing_key=routing_key,
                auto_delete=True,
            )
            with pytest.raises(Exception, match="ACCESS_REFUSED|access"):
                queue(channel).declare()
    with kombu.Connection(part_uris["gateway"]) as connection:
        with pytest.raises(Exception, match="ACCESS_REFUSED|access"):
            kombu.Queue("rpc-storage", no_declare=True)(connection.channel()).consume(
                callback=lambda *_: None
            )


def test_the_code_calls_only_what_the_accounts_allow():
    """Every RPC the web apps and services make in their source is in their account's
    permissions: a new call without a permission fails here, not in production."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls = {
        "frontend": re.findall(
            r"rpc\(\)\.(\w+)\.(\w+)\(",
            "".join(p.read_text() for p in (root / "frontend").glob("*.py")),
        ),
        "gateway": re.findall(
            r"rpc\(\)\.(\w+)\.(\w+)\(",
            "".join(p.read_text() for p in (root / "gateway").glob("*.py")),
        ),
        "users": [
            ("storage", m)
            for m in re.findall(r"self\.storage\.(\w+)\(", (root / "services/users.py").read_text())
        ],
        "blog": [
            *(
                ("storage", m)
                for m in re.findall(
                    r"self\.storage\.(\w+)\(", (root / "services/blog.py").read_text()
                )
            ),
            *(
                ("users", m)
                for m in re.findall(
                    r"self\.users\.(\w+)\(", (root / "services/blog.py").read_text()
                )
            ),
        ],
    }
    calls["gateway"] += [
        ("users", "follow_user"),
        ("users", "unfollow_user"),
        ("blog", "favorite_article"),
        ("blog", "unfavorite_article"),
    ]
    from gateway.health import SERVICE_PROBES

    calls["gateway"] += [(service, probe[0]) for service, probe in SERVICE_PROBES.items()]
    for part, made in calls.items():
        assert made, part
        for service, method in made:
            assert broker_accounts.may_call(part, service, method), (part, service, method)
    for service, probe in SERVICE_PROBES.items():  # each container's own health check
        assert broker_accounts.may_call(service, service, probe[0])
    for part in ("frontend", "gateway"):
        for service, method in (
            ("storage", "users_get_credentials"),
            ("users", "delete_user"),
            ("users", "ban_user"),
            ("storage", "restore"),
        ):
            assert not broker_accounts.may_call(part, service, method)


@pytest.mark.parametrize("part", ["frontend", "gateway"])
def test_the_web_tier_read_cache_hears_every_write_under_its_own_account(
    system, part_uris, vhost, part
):
    """The read cache's listener may declare its queue and bind it to every event of
    blog and users, and a write made through another process clears the cache. The
    account may not delete an event exchange: deleting ``users.events`` would silently
    drop blog's ``user_deleted`` binding."""
    cache = ReadCache(ttl=60)
    listener = InvalidationListener(system(part), cache).start()
    try:
        assert wait_until(lambda: cache.listening)
        with kombu.Connection(part_uris[part]) as connection:
            with pytest.raises(Exception, match="ACCESS_REFUSED"):
                connection.channel().exchange_delete("users.events")
        bindings = requests.get(
            f"{MANAGEMENT}/api/exchanges/{quote(vhost, safe='')}/users.events/bindings/source",
            timeout=10,
        ).json()
        assert any(
            binding["destination"].startswith("evt-users-user_deleted--blog.")
            for binding in bindings
        )
        cache.read("key", lambda: "cached")
        assert cache.read("key", lambda: "fresh") == "cached"
        admin = client_of(system, "gateway")
        try:
            admin.users.register(username="bob", email="bob@example.com", password=PASSWORD)
        finally:
            admin.close()
        assert wait_until(lambda: cache.read("key", lambda: "fresh") == "fresh")
    finally:
        listener.should_stop = True


def test_the_read_cache_listens_once_the_services_have_declared_their_exchanges(part_uris, caplog):
    """The web tier only checks that the event exchanges exist (it may not declare them):
    started where they are missing (a broker set up by hand), its cache stays off, and it
    listens once the services have declared them."""
    with kombu.Connection(part_uris["admin"]) as connection:
        for service in ("users", "blog", "storage"):
            connection.channel().exchange_delete(f"{service}.events")
    cache = ReadCache(ttl=60)
    listener = InvalidationListener({"AMQP_URI": part_uris["gateway"]}, cache).start()
    try:
        assert wait_until(
            lambda: any("NOT_FOUND" in repr(record.exc_info) for record in caplog.records)
        )
        assert not cache.listening
        with kombu.Connection(part_uris["admin"]) as connection:
            for service in ("users", "blog", "storage"):
                kombu.Exchange(f"{service}.events", type="topic", durable=True)(
                    connection.channel()
                ).declare()
        assert wait_until(lambda: cache.listening)
    finally:
        listener.should_stop = True


def test_broker_setup_declares_the_event_exchanges_so_read_caches_listen_at_once(part_uris):
    """``make run`` and compose run the broker setup before anything else: the web tier's
    read caches then listen from their first second, before any service has started."""
    cache = ReadCache(ttl=60)
    listener = InvalidationListener({"AMQP_URI": part_uris["frontend"]}, cache).start()
    try:
        assert wait_until(lambda: cache.listening)
    finally:
        listener.should_stop = True
