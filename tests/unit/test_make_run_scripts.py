"""The helper processes of `make run`: the URL announcer and the port check.

honcho stops every process when one exits, so the announcer must never raise
(a slow frontend once stopped the whole system with a ReadTimeout), and a taken
port must be named before anything starts.
"""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scripts import announce_urls, check_ports


def serve(delay_seconds):
    """A local HTTP server answering 200 to every GET after ``delay_seconds``."""

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(delay_seconds)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def slow_site(monkeypatch):
    monkeypatch.setattr(announce_urls, "REQUEST_TIMEOUT", 0.3)
    server, url = serve(delay_seconds=1)
    yield url
    server.shutdown()


@pytest.fixture
def quick_site():
    server, url = serve(delay_seconds=0)
    yield url
    server.shutdown()


def test_a_frontend_slower_than_the_request_timeout_is_starting_slowly_not_a_crash(slow_site):
    lines = announce_urls.announcement(slow_site + "/", slow_site + "/api", startup_seconds=1.5)

    assert "  The blog is starting slowly; check the logs above." in lines


def test_nothing_listening_is_starting_slowly(quick_site):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    lines = announce_urls.announcement(closed + "/", quick_site + "/api", startup_seconds=1)

    assert "  The blog is starting slowly; check the logs above." in lines


def test_answering_sites_are_announced_as_up(quick_site):
    lines = announce_urls.announcement(quick_site + "/", quick_site + "/api", startup_seconds=5)

    assert "  The blog is up." in lines
    assert f"  Browser (frontend):  {quick_site}/" in lines


def test_the_announcer_keeps_running_whatever_fails(monkeypatch, capsys):
    def broken_config():
        raise OSError("config.yaml is unreadable")

    waited = []
    monkeypatch.setattr(announce_urls, "load_config", broken_config)
    monkeypatch.setattr(
        announce_urls.threading,
        "Event",
        lambda: type("Event", (), {"wait": lambda self: waited.append(True)})(),
    )

    announce_urls.main()

    assert waited == [True]
    assert "Could not check whether the blog is up" in capsys.readouterr().out


def config_with_ports(gateway_port, frontend_port):
    return {
        "GATEWAY": {"HOST": "127.0.0.1", "PORT": gateway_port},
        "FRONTEND": {"HOST": "127.0.0.1", "PORT": frontend_port},
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_taken_port_is_named_with_the_variable_that_moves_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        messages = check_ports.taken_port_messages(config_with_ports(port, free_port()))

    assert messages == [
        f"Port {port} on 127.0.0.1 is already in use (the gateway): stop what uses it or "
        f"choose another port, e.g. GATEWAY_PORT={port + 1} make run"
    ]


def test_free_ports_pass():
    assert check_ports.taken_port_messages(config_with_ports(free_port(), free_port())) == []
