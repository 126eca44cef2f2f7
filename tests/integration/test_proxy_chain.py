"""The real proxy configuration (deploy/proxy) in Debian's nginx, in front of the gateway,
alone and behind an outer load balancer: the address and scheme the app takes.

Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3) and forge
X-Forwarded-For and -Proto themselves. nginx is installed by ``make system``.
"""

import http.client
import json
import shutil
import socket
import subprocess
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from common.config import PROJECT_ROOT
from gateway.app import create_app
from tests.support.http_helpers import SEEN_BY_THE_APP, show_what_the_app_sees
from tests.support.polling import wait_until

PROXY_DIR = PROJECT_ROOT / "deploy" / "proxy"
FORGED = {"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}

# An outer TLS load balancer as the deployment guide describes it: it appends its peer
# to X-Forwarded-For and says the client came over https (TLS itself is left out here).
LOAD_BALANCER_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replaced(text, old, new):
    """``text`` with its one ``old`` replaced: a changed deploy/proxy file fails loudly here."""
    assert text.count(old) == 1, f"expected one {old!r} in the proxy configuration"
    return text.replace(old, new)


def project_proxy_conf(folder, port, upstream):
    """deploy/proxy's nginx.conf and locations.conf, listening on ``port`` and passing both
    the gateway's and the frontend's locations to ``upstream``; files kept in ``folder``."""
    folder.mkdir()
    locations = PROXY_DIR.joinpath("locations.conf").read_text()
    for name in ("http://gateway:8000", "http://frontend:8080"):
        locations = replaced(locations, name, upstream)
    (folder / "locations.conf").write_text(locations)
    conf = PROXY_DIR.joinpath("nginx.conf").read_text().replace("/tmp/", f"{folder}/")
    conf = replaced(conf, "listen 8080 default_server;", f"listen 127.0.0.1:{port} default_server;")
    conf = replaced(conf, "access_log /dev/stdout blog;", "access_log off;")
    return replaced(
        conf, "include /etc/nginx/blog/locations.conf;", f"include {folder}/locations.conf;"
    )


@contextmanager
def nginx(folder, conf_text, port):
    """An nginx process of ``conf_text``, answering on ``port``, for the block."""
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed: run `make system`")
    folder.mkdir(exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(conf_text)
    log = (folder / "output.log").open("w")
    process = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(folder),
            "-e",
            str(folder / "error.log"),
            "-c",
            str(conf),
            "-g",
            "daemon off;",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(lambda: process.poll() is not None or accepts(port)), "nginx silent"
        assert process.poll() is None, (folder / "output.log").read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def accepts(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def gateway(hops):
    """The gateway app with ``PROXY_HOPS=hops``, served over HTTP on 127.0.0.1."""
    app = show_what_the_app_sees(
        create_app({"AMQP_URI": "memory://", "PROXY_HOPS": hops}, rpc=object())
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def seen_from(source_address, url, headers):
    """What the app took for a request sent from ``source_address`` to ``url``."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=10, source_address=(source_address, 0)
    )
    try:
        connection.request("GET", SEEN_BY_THE_APP, headers=headers)
        response = connection.getresponse()
        assert response.status == 200, response.read()[:500]
        seen = json.loads(response.read())
    finally:
        connection.close()
    return seen["address"], seen["scheme"]


def test_at_the_edge_a_client_cannot_forge_its_address(tmp_path):
    folder, port = tmp_path / "proxy", free_port()
    with (
        gateway(hops=1) as app,
        nginx(folder, project_proxy_conf(folder, port, app), port) as proxy,
    ):
        assert seen_from("127.0.0.2", proxy, FORGED) == ("127.0.0.2", "http")
        assert seen_from("127.0.0.3", proxy, {}) == ("127.0.0.3", "http")


def test_behind_an_outer_load_balancer_each_client_keeps_its_own_address(tmp_path):
    folder, port = tmp_path / "proxy", free_port()
    outer, outer_port = tmp_path / "balancer", free_port()
    with (
        gateway(hops=2) as app,
        nginx(folder, project_proxy_conf(folder, port, app), port) as proxy,
        nginx(
            outer,
            LOAD_BALANCER_CONF.format(folder=outer, port=outer_port, upstream=proxy),
            outer_port,
        ) as balancer,
    ):
        assert seen_from("127.0.0.2", balancer, FORGED) == ("127.0.0.2", "https")
        assert seen_from("127.0.0.3", balancer, {}) == ("127.0.0.3", "https")
