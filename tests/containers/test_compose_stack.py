"""docker-compose.yml for real: one stack, brought up once, taken through a day of operations.

The tests run in file order and share the stack (and what earlier tests wrote): healthy and
hardened → the services' database role is no superuser → users, articles and comments
through the gateway and the frontend → the proxy's behaviour → blog scaled to 3 shares the
work → blog and storage crash under a write load, nothing acknowledged is lost or doubled →
frontend ×3 and gateway ×2 share a read load, one frontend killed under it → health checks
follow a stopped database → down and up keep the data → a backup restores into a fresh
stack.
"""

import json
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.containers.conftest import (
    CUT,
    DATABASE_ROLE_PROBE,
    HTTP_TIMEOUT,
    Api,
    ReadLoad,
    Stack,
    assert_database_role_is_not_a_superuser,
    crash,
    docker,
    in_flight,
    outcome_of,
    record,
    upstream_counts,
    wait_for_restart,
)
from tests.support.polling import wait_until

BLOG_PARTS = ("migrate", "storage", "users", "blog", "gateway", "frontend")
LONG_RUNNING = ("rabbitmq", "postgres", "storage", "users", "blog", "gateway", "frontend", "proxy")
SCALE = ("--scale", "blog=3")
WEB_SCALE = ("--scale", "blog=3", "--scale", "frontend=3", "--scale", "gateway=2")
READ_CACHE_SECONDS = 5  # the default of config.yaml, which the compose stack keeps


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack("compose", tmp_path_factory.mktemp("compose"))
    stack.down("-v")  # a leftover of an interrupted run
    started = time.monotonic()
    try:
        stack.up()
        record("compose_up_seconds", round(time.monotonic() - started))
        yield stack
    finally:
        stack.down("-v")


@pytest.fixture(scope="module")
def state():
    """What earlier tests wrote, for later ones to find."""
    return {}


def test_every_service_is_healthy_and_hardened(stack):
    for service in LONG_RUNNING:
        containers = stack.containers(service)
        assert containers, f"{service} has no container"
        for container in containers:
            assert stack.health(container) == "healthy", service
    migrate = stack.inspect(stack.containers("migrate", all_states=True)[0])["State"]
    assert (migrate["Status"], migrate["ExitCode"]) == ("exited", 0)

    for service in (*BLOG_PARTS, "proxy"):
        for container in stack.containers(service, all_states=True):
            info = stack.inspect(container)
            config, host = info["Config"], info["HostConfig"]
            assert config["User"] not in ("", "root", "0"), f"{service} runs as root"
            assert host["CapDrop"] and "ALL" in [cap.upper() for cap in host["CapDrop"]], service
            assert host["ReadonlyRootfs"] is True, service
            assert "no-new-privileges:true" in (host["SecurityOpt"] or []), service
            assert host["Memory"] > 0, f"{service} has no memory limit"
            if service != "migrate":
                assert config["Healthcheck"]["StartPeriod"] > 0, service
    # The processes really run unprivileged, and cannot write outside /tmp and volumes.
    assert stack.exec("blog", "id", "-u").stdout.strip() == "10001"
    refused = stack.exec("blog", "touch", "/app/written", check=False)
    assert refused.returncode != 0 and "Read-only file system" in refused.stderr
    assert stack.exec("proxy", "id", "-un").stdout.strip() == "www-data"
    for service in ("rabbitmq", "postgres"):
        info = stack.inspect(stack.containers(service)[0])
        assert info["HostConfig"]["Memory"] > 0
        status = Path(f"/proc/{info['State']['Pid']}/status").read_text()
        uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
        assert uid != "0", f"{service}'s main process runs as root"


def test_the_services_use_a_database_role_that_is_not_a_superuser(stack):
    """storage and migrate connect as BLOG_DB_USER, made by deploy/postgres/create-databases.sh."""
    report = json.loads(stack.exec("storage", "python", "-c", DATABASE_ROLE_PROBE).stdout)
    record("database_role", report)
    assert {seen["user"] for seen in report.values()} == {"blog_app"}
    assert_database_role_is_not_a_superuser(report, superuser="blog")
    # The superuser's password is given to the postgres container alone.
    superuser_password = stack.settings["POSTGRES_PASSWORD"]
    for service in BLOG_PARTS:
        for container in stack.containers(service, all_states=True):
            environment = stack.inspect(container)["Config"]["Env"]
            assert not [
                entry
                for entry in environment
                if superuser_password in entry or entry.startswith("POSTGRES_")
            ], service
    # The superuser itself still works, for the container's own administration.
    assert (
        stack.exec(
            "postgres",
            "sh",
            "-c",
            'psql -h 127.0.0.1 -U "$POSTGRES_USER" -d blog_blog'
            " -tAc 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user'",
        ).stdout.strip()
        == "t"
    )


def test_register_write_comment_and_read_through_gateway_and_frontend(stack, state):
    api = Api(stack.url)
    author = api.register("ada")
    created = api.create_article("Written through the gateway", key=uuid.uuid4().hex)
    assert created.status_code == 201, created.text
    slug = created.json()["article"]["slug"]
    comment = api.session.post(
        f"{api.base}/articles/{slug}/comments",
        headers=api.headers(),
        json={"comment": {"body": "First comment, over the API"}},
        timeout=HTTP_TIMEOUT,
    )
    assert comment.status_code in (200, 201), comment.text

    browser = requests.Session()
    page = browser.get(stack.url + "/register", timeout=HTTP_TIMEOUT)
    form = {
        "csrf_token": csrf(page.text),
        "username": "grace",
        "email": "grace@example.com",
        "password": "correct horse battery",
    }
    assert browser.post(stack.url + "/register", data=form, timeout=HTTP_TIMEOUT).status_code == 200
    editor = browser.get(stack.url + "/editor", timeout=HTTP_TIMEOUT)
    published = browser.post(
        stack.url + "/editor",
        timeout=HTTP_TIMEOUT,
        data={
            "csrf_token": csrf(editor.text),
            "idempotency_key": hidden(editor.text, "idempotency_key"),
            "title": "Written in the browser",
            "description": "d",
            "body": "**Bold** words",
            "tags": "containers",
            "action": "publish",
        },
    )
    assert published.status_code == 200 and "<strong>Bold</strong>" in published.text
    browser_slug = published.url.rstrip("/").rsplit("/", 1)[-1]
    article_page = browser.get(f"{stack.url}/article/{slug}", timeout=HTTP_TIMEOUT)
    commented = browser.post(
        f"{stack.url}/article/{slug}/comments",
        timeout=HTTP_TIMEOUT,
        data={
            "csrf_token": csrf(article_page.text),
            "idempotency_key": hidden(article_page.text, "idempotency_key"),
            "body": "Second comment, from the browser",
        },
    )
    assert commented.status_code == 200 and "Second comment, from the browser" in commented.text

    # Each side reads what the other wrote.
    assert (
        "Written in the browser"
        in api.session.get(f"{api.base}/articles/{browser_slug}", timeout=HTTP_TIMEOUT).text
    )
    comments = api.session.get(f"{api.base}/articles/{slug}/comments", timeout=HTTP_TIMEOUT).json()[
        "comments"
    ]
    assert {c["body"] for c in comments} == {
        "First comment, over the API",
        "Second comment, from the browser",
    }
    home = requests.get(stack.url + "/", timeout=HTTP_TIMEOUT).text
    assert "Written through the gateway" in home and "Written in the browser" in home
    state.update(author=author["username"], slug=slug, browser_slug=browser_slug)


def test_the_proxy_compresses_caches_static_files_and_owns_the_forwarded_headers(stack):
    home = requests.get(stack.url + "/", headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT)
    assert home.headers.get("Content-Encoding") == "gzip"
    # /assets/<name>.<hash>.<ext> (frontend/static_assets.py): a year's caching, gzipped.
    stylesheet = re.search(r'href="(/assets/style\.[0-9a-f]+\.css)"', home.text).group(1)
    static = requests.get(
        stack.url + stylesheet, headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT
    )
    assert static.status_code == 200 and static.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in static.headers["Cache-Control"]
    style = (Path(__file__).parents[2] / "frontend/static/style.css").read_bytes()
    assert static.content == style
    # The plain /static/ URL, served by the proxy from its copy: revalidated on every use.
    plain = requests.get(
        stack.url + "/static/style.css", headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT
    )
    assert plain.status_code == 200 and plain.content == style
    assert "no-cache" in plain.headers["Cache-Control"] and plain.headers.get("ETag")
    assert (
        requests.get(stack.url + "/assets/style.000000000000.css", timeout=HTTP_TIMEOUT).status_code
        == 404
    )
    api = requests.get(
        stack.url + "/api/articles", headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT
    )
    assert api.status_code == 200

    # A client cannot choose the address the apps see: the proxy appends its peer to the
    # header and the apps take that last entry (PROXY_HOPS=1). A request from another
    # container without the header keeps its own address.
    via_proxy, direct = uuid.uuid4().hex, uuid.uuid4().hex
    requests.get(
        f"{stack.url}/api/tags",
        timeout=HTTP_TIMEOUT,
        headers={"X-Forwarded-For": "203.0.113.66", "X-Request-Id": via_proxy},
    )
    stack.exec(
        "storage",
        "python",
        "-c",
        (
            "import urllib.request as u; u.urlopen(u.Request('http://gateway:8000/api/tags', "
            "headers="
            f"{{'X-Request-Id': '{direct}'}}), timeout=10)"
        ),
    )
    log = stack.logs("gateway")
    seen = {
        marker: re.search(rf'"request_id": "{marker}".*"remote_addr": "([^"]+)"', log)
        for marker in (via_proxy, direct)
    }
    assert all(seen.values()), seen
    proxy_ips = container_ips(stack, "proxy")
    storage_ips = container_ips(stack, "storage")
    # Through the proxy: the address nginx saw the client at (not nginx's own, not the forged one).
    assert seen[via_proxy].group(1) not in ("203.0.113.66", *proxy_ips), seen[via_proxy].group(1)
    # Straight from another container: its own address.
    assert seen[direct].group(1) in storage_ips, (seen[direct].group(1), storage_ips)


def test_blog_scaled_to_three_shares_the_work(stack, state):
    stack.up(*SCALE)
    blogs = stack.containers("blog")
    assert len(blogs) == 3
    before = {container: cpu_seconds(container) for container in blogs}
    # Until a number of answers, not for a time: the CPU shares need enough requests
    # whatever the speed of the machine.
    load = ReadLoad(
        stack.url, ["/api/articles?limit=20", "/api/tags"], threads=6, seconds=600
    ).start()
    load.wait_for_requests(60, timeout=300)
    load.stop.set()
    load.join()
    used = {
        container[:12]: round(cpu_seconds(container) - before[container], 2) for container in blogs
    }
    record(
        "scale_blog_3",
        {"requests": load.total, "outcomes": dict(load.outcomes), "cpu_seconds_per_blog": used},
    )
    assert load.outcomes[200] == load.total >= 60
    total = sum(used.values())
    assert all(share >= total / 10 for share in used.values()), used


def test_crashed_blog_and_storage_under_writes_lose_and_double_nothing_acknowledged(stack, state):
    writers = [Api(stack.url) for _ in range(4)]
    for index, writer in enumerate(writers):
        writer.register(f"writer{index}")
    results = {
        "sent": 0,
        "acknowledged": set(),
        "retried": 0,
        "given_up": set(),
        "statuses": Counter(),
    }
    lock = threading.Lock()
    stop_writing = threading.Event()

    def write(index, api):
        number = 0
        while not stop_writing.is_set():
            title, key = f"load {index}-{number}", uuid.uuid4().hex
            number += 1
            deadline = time.monotonic() + 90
            attempt = 0
            while True:
                attempt += 1
                try:
                    status = api.create_article(title, key=key).status_code
                except requests.RequestException as exc:
                    status = type(exc).__name__
                with lock:
                    results["sent"] += 1
                    results["statuses"][status] += 1
                    results["retried"] += attempt > 1
                if status == 201:
                    with lock:
                        results["acknowledged"].add(title)
                    break
                if time.monotonic() > deadline:
                    with lock:
                        results["given_up"].add(title)
                    break
                time.sleep(0.5)  # the same Idempotency-Key again

    threads = [
        threading.Thread(target=write, args=(index, api), daemon=True)
        for index, api in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    blog, storage = stack.containers("blog")[0], stack.containers("storage")[0]

    def acknowledged_more(count, timeout=150):
        """Until ``count`` more writes are acknowledged: each crash under a running load."""
        target = len(results["acknowledged"]) + count
        assert wait_until(lambda: len(results["acknowledged"]) >= target, seconds=timeout), (
            f"{len(results['acknowledged'])} of {target} writes acknowledged in {timeout} s"
        )

    acknowledged_more(8)
    crash(blog)
    acknowledged_more(8)
    crash(storage)
    acknowledged_more(8)  # storage is back: new writes are acknowledged again
    stop_writing.set()
    for thread in threads:
        thread.join(timeout=120)
    restarts = {"blog": wait_for_restart(stack, blog), "storage": wait_for_restart(stack, storage)}

    found = Counter()
    for index in range(len(writers)):
        for article in writers[0].articles_by(f"writer{index}"):
            found[article["title"]] += 1
    lost = sorted(results["acknowledged"] - set(found))
    doubled = sorted(title for title, count in found.items() if count > 1)
    figures = {
        "writes": len(results["acknowledged"] | results["given_up"]),
        "requests_sent": results["sent"],
        "acknowledged": len(results["acknowledged"]),
        "given_up": len(results["given_up"]),
        "found": sum(found.values()),
        "distinct_found": len(found),
        "lost": len(lost),
        "duplicated": len(doubled),
        "retries": results["retried"],
        "statuses": {str(key): value for key, value in results["statuses"].items()},
        "restart_count": restarts,
    }
    record("crash_under_writes", figures)
    assert not lost, lost
    assert not doubled, doubled
    assert results["acknowledged"] and not results["given_up"], figures
    state["written"] = len(found) + 2


def test_frontend_and_gateway_scale_behind_the_proxy_and_survive_killed_instances(stack):
    """What the proxy promises when an instance dies (docs/RELIABILITY.md): a request the
    instance had not begun to answer goes to the next one (a GET; a POST only if it was
    never sent), so the client sees nothing; a response already begun cannot be retried and
    reaches the client cut; a POST already sent is answered 502, never sent twice. So every
    failure is a cut response or a refused POST, of a request in flight at a kill."""
    stack.up(*WEB_SCALE)
    frontends, gateways = stack.containers("frontend"), stack.containers("gateway")
    assert (len(frontends), len(gateways)) == (3, 2)
    # Addresses on the proxy's network, read before one instance is killed (and loses its own).
    frontend_ips = {ip for container in frontends for ip in container_ips(stack, container, "edge")}
    gateway_ips = {ip for container in gateways for ip in container_ips(stack, container, "edge")}
    assert (len(frontend_ips), len(gateway_ips)) == (3, 2)
    marker = uuid.uuid4().hex
    requests.get(f"{stack.url}/api/tags?marker={marker}", timeout=HTTP_TIMEOUT)
    proxy_reaches_every_instance(stack, frontend_ips | gateway_ips)

    writer = Api(stack.url)
    writer.register("killwriter")
    writes, stop_writing = [], threading.Event()

    def write():
        """Articles without Idempotency-Key, never sent again: a duplicate would show."""
        while not stop_writing.is_set():
            title, started = f"kill write {len(writes)}", time.monotonic()
            status = outcome_of(lambda title=title: writer.create_article(title))
            writes.append((started, time.monotonic(), title, status))

    load = ReadLoad(
        stack.url, ["/", "/api/articles?limit=10", "/api/tags"], threads=6, seconds=600
    ).start()
    writing = threading.Thread(target=write, daemon=True)
    writing.start()
    kills = {}
    for service, container in (("frontend", frontends[0]), ("gateway", gateways[0])):
        load.wait_for_requests(40)
        began = time.monotonic()
        docker("kill", container)
        kills[service] = (began, time.monotonic())
    load.wait_for_requests(60)
    load.stop.set()
    stop_writing.set()
    load.join()
    writing.join(timeout=60)

    counts = upstream_counts(stack.logs("proxy"), marker)
    per_frontend = {
        ip: sum(n for address, n in counts.items() if address.startswith(ip + ":"))
        for ip in frontend_ips
    }
    per_gateway = {
        ip: sum(n for address, n in counts.items() if address.startswith(ip + ":"))
        for ip in gateway_ips
    }
    under_way = [
        request
        for window in kills.values()
        for request in in_flight(load.requests + writes, window)
    ]
    failed = [request for request in load.requests + writes if request[3] not in (200, 201)]
    found = Counter(article["title"] for article in writer.articles_by("killwriter"))
    record(
        "web_tier",
        {
            "requests": load.total,
            "outcomes": {str(k): v for k, v in load.outcomes.items()},
            "writes": len(writes),
            "write_outcomes": dict(Counter(str(w[3]) for w in writes)),
            "in_flight_at_the_kills": len(under_way),
            "failed": [(request[2], request[3]) for request in failed],
            "per_frontend": per_frontend,
            "per_gateway": per_gateway,
        },
    )
    assert writes
    # Reads: answered, or cut; writes: created, refused by the proxy, or cut.
    assert {request[3] for request in load.requests} <= {200, CUT}, load.failures[:10]
    assert {write[3] for write in writes} <= {201, 502, CUT}, writes
    # Each failure was in flight at a kill: at most as many as were.
    assert all(request in under_way for request in failed), (failed, kills)
    # No write sent twice; every created one there.
    assert [title for title, count in found.items() if count > 1] == [], found.most_common(3)
    assert {write[2] for write in writes if write[3] == 201} <= set(found)
    assert all(count > 0 for count in per_frontend.values()), per_frontend
    assert all(count > 0 for count in per_gateway.values()), per_gateway
    stack.up(*WEB_SCALE)  # brings the killed instances back


def proxy_reaches_every_instance(stack, addresses, timeout=60):
    """Until the proxy has passed requests to every address: its DNS answers live 5 s, so
    instances added by --scale are used from its next lookup on."""
    deadline = time.monotonic() + timeout
    while True:
        marker = uuid.uuid4().hex
        requests.get(f"{stack.url}/api/tags?marker={marker}", timeout=HTTP_TIMEOUT)
        for path in ("/", "/api/tags") * 6:
            requests.get(stack.url + path, timeout=HTTP_TIMEOUT)
        reached = {
            address.rsplit(":", 1)[0] for address in upstream_counts(stack.logs("proxy"), marker)
        }
        if addresses <= reached:
            return
        assert time.monotonic() < deadline, f"the proxy reached {reached}, not all of {addresses}"
        time.sleep(1)


def test_health_checks_follow_a_stopped_database(stack):
    stack.compose("stop", "postgres")
    try:
        unhealthy_after = stack.wait_for_health("storage", "unhealthy", timeout=90)
        verdict = stack.exec("storage", "python", "-m", "admin.healthcheck", "storage", check=False)
        assert verdict.returncode == 1 and verdict.stdout.startswith("unhealthy"), verdict.stdout
        operator = {"Authorization": f"Bearer {stack.settings['GATEWAY_HEALTH_DETAILS_TOKEN']}"}
        public = requests.get(stack.url + "/healthz", timeout=HTTP_TIMEOUT)
        status = requests.get(stack.url + "/healthz", headers=operator, timeout=HTTP_TIMEOUT)
        assert public.status_code == 503 and public.json() == {"status": "unavailable"}
        assert status.status_code == 503 and status.json()["checks"]["storage"]["ok"] is False
    finally:
        stack.compose("start", "postgres")
    # PostgreSQL's own start is part of this; a machine shared with other suites is slow at it.
    healthy_after = stack.wait_for_health("storage", "healthy", timeout=240)
    record(
        "health_follows_postgres",
        {
            "unhealthy_after_seconds": round(unhealthy_after),
            "healthy_again_after_seconds": round(healthy_after),
            "check_said": verdict.stdout.strip(),
        },
    )


def test_down_then_up_keeps_the_data(stack, state):
    stack.down()
    assert stack.containers(all_states=True) == []
    stack.up(*SCALE)
    api = Api(stack.url)
    article = api.session.get(f"{api.base}/articles/{state['slug']}", timeout=HTTP_TIMEOUT)
    assert article.status_code == 200
    login = api.session.post(
        api.base + "/users/login",
        timeout=HTTP_TIMEOUT,
        json={"user": {"email": "ada@example.com", "password": "correct horse battery"}},
    )
    assert login.status_code == 200


def test_a_backup_of_the_running_stack_restores_into_a_fresh_one(stack, state, tmp_path):
    answer = stack.exec(
        "storage",
        "python",
        "-m",
        "admin.blogadmin",
        "backup",
        env={"AMQP_URI": stack.admin_amqp_uri},
    ).stdout
    backup_id = re.search(r"backup (\S+) written", answer).group(1)
    # Off the stack as a tar stream (what an operator keeps elsewhere).
    archive = tmp_path / f"{backup_id}.tar"
    with archive.open("wb") as out:
        subprocess.run(
            [
                "docker",
                "exec",
                stack.containers("storage")[0],
                "tar",
                "-C",
                "/data/backups",
                "-c",
                backup_id,
            ],
            stdout=out,
            check=True,
            timeout=120,
        )
    before = (
        Api(stack.url).session.get(f"{stack.url}/api/articles?limit=1", timeout=HTTP_TIMEOUT).json()
    )

    stack.down("-v")  # volumes gone: databases, broker and backups
    stack.up()
    assert (
        Api(stack.url)
        .session.get(f"{stack.url}/api/articles?limit=1", timeout=HTTP_TIMEOUT)
        .json()["articlesCount"]
        == 0
    )
    # Into the fresh backups volume, unpacked by the image's user (uid 10001) itself.
    with archive.open("rb") as source:
        subprocess.run(
            [
                "docker",
                "exec",
                "-i",
                stack.containers("storage")[0],
                "tar",
                "-C",
                "/data/backups",
                "-x",
            ],
            stdin=source,
            check=True,
            timeout=120,
        )
    restored = stack.exec(
        "storage",
        "python",
        "-m",
        "admin.blogadmin",
        "restore",
        backup_id,
        env={"AMQP_URI": stack.admin_amqp_uri},
    )
    assert restored.returncode == 0, restored.stderr
    # A restore dispatches no event, so the web tier's read cache (rpc_client/read_cache.py)
    # may answer from before it for up to READ_CACHE_SECONDS (5 by default): its stated bound.
    deadline = time.monotonic() + READ_CACHE_SECONDS + 10
    while True:
        after = (
            Api(stack.url)
            .session.get(f"{stack.url}/api/articles?limit=1", timeout=HTTP_TIMEOUT)
            .json()
        )
        if after["articlesCount"] > 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert after["articlesCount"] == before["articlesCount"] > 0
    assert (
        Api(stack.url)
        .session.get(f"{stack.url}/api/articles/{state['slug']}", timeout=HTTP_TIMEOUT)
        .status_code
        == 200
    )
    record("backup_restore", {"articles": after["articlesCount"], "backup": backup_id})


def csrf(html):
    return hidden(html, "csrf_token")


def hidden(html, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} in the page"
    return match.group(1)


def container_ips(stack, container, network_name=None):
    """Addresses of a container (or of a service's first one), on one compose network or all."""
    if not re.fullmatch(r"[0-9a-f]{12,64}", container):
        container = stack.containers(container)[0]
    networks = stack.inspect(container)["NetworkSettings"]["Networks"]
    return [
        network["IPAddress"]
        for name, network in networks.items()
        if network["IPAddress"] and (network_name is None or name.endswith("_" + network_name))
    ]


def cpu_seconds(container):
    """CPU time a container has used, from its cgroup (v1 cgroupfs, or v2)."""
    info = docker("inspect", "-f", "{{.Id}}", container).stdout.strip()
    for path, scale in (
        (f"/sys/fs/cgroup/cpuacct/docker/{info}/cpuacct.usage", 1e-9),
        (f"/sys/fs/cgroup/cpu,cpuacct/docker/{info}/cpuacct.usage", 1e-9),
    ):
        if Path(path).exists():
            return int(Path(path).read_text()) * scale
    for path in (
        f"/sys/fs/cgroup/system.slice/docker-{info}.scope/cpu.stat",
        f"/sys/fs/cgroup/docker/{info}/cpu.stat",
    ):
        if Path(path).exists():
            usage = re.search(r"usage_usec (\d+)", Path(path).read_text()).group(1)
            return int(usage) * 1e-6
    raise AssertionError(f"no cgroup CPU accounting found for {container}")
