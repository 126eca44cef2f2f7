"""HSTS through the nginx proxy (deploy/proxy): the apps send it on what they answer, and
nginx on the files it serves itself. A location with its own ``add_header`` drops every
header inherited from the server, so each such location must repeat it."""

import re

from common.config import PROJECT_ROOT
from web.proxies import STRICT_TRANSPORT_SECURITY

PROXY = PROJECT_ROOT / "deploy" / "proxy"
HSTS_LINE = "add_header Strict-Transport-Security $strict_transport_security always;"


def blocks(text, keyword):
    """``{header: body}`` of each ``keyword ... { body }`` block (no nested braces)."""
    return dict(re.findall(rf"^\s*({keyword}[^{{]*)\{{([^}}]*)\}}", text, re.M))


def uncommented(path):
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
    )


def test_every_location_with_its_own_headers_repeats_hsts():
    locations = blocks(uncommented(PROXY / "locations.conf"), "location")
    with_headers = {name: body for name, body in locations.items() if "add_header" in body}
    assert "location /static/ " in with_headers
    assert {name for name, body in with_headers.items() if HSTS_LINE not in body} == set()


def test_the_proxy_says_https_only_over_https_alone_with_the_apps_policy():
    [mapping] = blocks(
        uncommented(PROXY / "nginx.conf"), r"map \$scheme \$strict_transport_security"
    ).values()
    assert re.search(rf'^\s*https\s+"{re.escape(STRICT_TRANSPORT_SECURITY)}";', mapping, re.M)
    assert re.search(r'^\s*default\s+"";', mapping, re.M)


def test_no_server_adds_hsts_that_proxied_answers_already_carry():
    for name in ("nginx.conf", "tls.conf", "locations.conf"):
        text = (PROXY / name).read_text()
        assert re.findall(r"add_header Strict-Transport-Security (.*);", text) in (
            [],
            ["$strict_transport_security always"],
        ), name
