"""X-Forwarded-* count only when the request comes from a trusted proxy."""
from services.trusted_proxy import TrustedProxies


def seen_by_app(trusted, remote_addr, headers, resolve=None, clock=None):
    seen = {}

    def app(environ, start_response):
        seen.update(remote_addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"],
                    host=environ.get("HTTP_HOST"),
                    forwarded=environ.get("HTTP_X_FORWARDED_FOR"))
        return []

    kwargs = {"resolve": resolve} if resolve else {}
    if clock:
        kwargs["clock"] = clock
    middleware = TrustedProxies(app, trusted, **kwargs)
    environ = {"REMOTE_ADDR": remote_addr, "wsgi.url_scheme": "http", "HTTP_HOST": "app:8000",
               **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}}
    middleware(environ, lambda *args: None)
    return seen


FORWARDED = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "blog.example.org"}


def test_from_a_trusted_network_the_client_address_scheme_and_host_apply():
    seen = seen_by_app("10.0.0.0/8", "10.1.2.3", FORWARDED)
    assert seen == {"remote_addr": "198.51.100.7", "scheme": "https", "host": "blog.example.org",
                    "forwarded": "198.51.100.7"}


def test_from_anyone_else_the_headers_are_removed():
    seen = seen_by_app("10.0.0.0/8", "192.0.2.9", FORWARDED)
    assert seen == {"remote_addr": "192.0.2.9", "scheme": "http", "host": "app:8000",
                    "forwarded": None}


def test_nothing_is_trusted_by_default():
    assert seen_by_app("", "127.0.0.1", FORWARDED)["remote_addr"] == "127.0.0.1"


def test_a_name_is_looked_up_and_looked_up_again_later():
    answers = [["172.20.0.5"], ["172.20.0.9"]]
    now = [0.0]

    def resolve(name, port):
        assert name == "proxy"
        return [(2, 1, 6, "", (address, 0)) for address in answers[0]]

    def clock():
        return now[0]

    assert seen_by_app("proxy", "172.20.0.5", FORWARDED, resolve, clock)["remote_addr"] == "198.51.100.7"
    middleware_seen = {}

    def app(environ, start_response):
        middleware_seen["remote_addr"] = environ["REMOTE_ADDR"]
        return []

    middleware = TrustedProxies(app, "proxy", resolve=resolve, clock=clock)
    environ = {"REMOTE_ADDR": "172.20.0.9", "wsgi.url_scheme": "http",
               "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    middleware(dict(environ), lambda *args: None)
    assert middleware_seen["remote_addr"] == "172.20.0.9"  # not the proxy (yet)
    answers.pop(0)
    now[0] += 10  # the proxy came back with another address
    middleware(dict(environ), lambda *args: None)
    assert middleware_seen["remote_addr"] == "198.51.100.7"


def test_a_name_that_does_not_resolve_trusts_nobody():
    def resolve(name, port):
        raise OSError("no such host")

    assert seen_by_app("proxy", "172.20.0.5", FORWARDED, resolve)["remote_addr"] == "172.20.0.5"
