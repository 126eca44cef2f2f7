"""The real system for end-to-end tests: one stack per database engine for the
whole session. Every test that uses ``stack`` runs on SQLite files and again on
two PostgreSQL databases (skipped, with the reason, when PostgreSQL does not
answer): only the URIs differ."""

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.api import Api, signed_up
from tests.support.postgres import postgres_reachable, unreachable_reason, users_and_blog_databases
from tests.support.stack import Stack


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory):
    """RabbitMQ (own vhost), storage, users, blog, gateway and frontend as processes."""
    workdir = tmp_path_factory.mktemp(f"stack-{request.param}")
    if request.param == "sqlite":
        yield from running(Stack(workdir))
        return
    if not postgres_reachable():
        pytest.skip(unreachable_reason())
    with users_and_blog_databases() as (users_uri, blog_uri):
        yield from running(Stack(workdir, users_db_uri=users_uri, blog_db_uri=blog_uri))


def running(stack):
    stack.start_all()
    try:
        yield stack
    finally:
        stack.stop_all()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Debian's Chromium, kept off the network this machine does not have."""


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the browser tests of one module."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def anonymous(stack):
    """The gateway's API without credentials."""
    return Api(stack.gateway_url)


@pytest.fixture
def sign_up(stack):
    """``sign_up(prefix="user")`` registers a fresh user: ``(api_as_that_user, user_json)``."""
    return lambda prefix="user": signed_up(stack, prefix)
