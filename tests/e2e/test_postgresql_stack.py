"""The whole stack on two PostgreSQL databases (chosen by URIs only): a short
RealWorld scenario through the gateway, then the admin CLI (stats, backup,
verify, check) against it. Skipped when PostgreSQL does not answer."""

import subprocess
import sys

import pytest
import requests

from common.config import PROJECT_ROOT
from services.database.migrations import head_revision
from tests.support.postgres import postgres_reachable, unreachable_reason, users_and_blog_databases
from tests.support.stack import Stack

pytestmark = pytest.mark.skipif(not postgres_reachable(), reason=unreachable_reason())


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory):
    with users_and_blog_databases() as (users_uri, blog_uri):
        stack = Stack(
            tmp_path_factory.mktemp("pg-stack"), users_db_uri=users_uri, blog_db_uri=blog_uri
        )
        try:
            yield stack.start_all()
        finally:
            stack.stop_all()


def api(stack, method, path, body=None, token=None):
    headers = {"Authorization": f"Token {token}"} if token else {}
    response = requests.request(
        method, f"{stack.gateway_url}/api{path}", json=body, headers=headers, timeout=30
    )
    assert response.ok, response.text
    return response.json()


def blogadmin(stack, *args):
    return subprocess.run(
        [sys.executable, "-m", "admin.blogadmin", "--timeout", "60", *args],
        cwd=PROJECT_ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gateway_scenario_on_postgresql(pg_stack):
    assert pg_stack.rpc.storage.stats()["blog"]["dialect"] == "postgresql"
    user = api(
        pg_stack,
        "POST",
        "/users",
        {
            "user": {
                "username": "pgwriter",
                "email": "pgwriter@example.com",
                "password": "pass-word-1",
            }
        },
    )
    token = user["user"]["token"]
    article = api(
        pg_stack,
        "POST",
        "/articles",
        {"article": {"title": "On PostgreSQL", "description": "d", "body": "b", "tagList": ["pg"]}},
        token=token,
    )["article"]
    api(
        pg_stack,
        "POST",
        f"/articles/{article['slug']}/comments",
        {"comment": {"body": "stored in PostgreSQL"}},
        token=token,
    )
    api(pg_stack, "POST", f"/articles/{article['slug']}/favorite", token=token)

    listed = api(pg_stack, "GET", "/articles?tag=pg")
    assert listed["articlesCount"] == 1
    assert listed["articles"][0]["favoritesCount"] == 1
    comments = api(pg_stack, "GET", f"/articles/{article['slug']}/comments")["comments"]
    assert [comment["body"] for comment in comments] == ["stored in PostgreSQL"]


def test_admin_cli_against_the_postgresql_stack(pg_stack):
    stats = blogadmin(pg_stack, "stats")
    assert stats.returncode == 0, stats.stderr
    assert f"users (postgresql, schema {head_revision('users')})" in stats.stdout

    backup = blogadmin(pg_stack, "backup")
    assert backup.returncode == 0, backup.stderr
    backup_id = backup.stdout.split()[1]
    verify = blogadmin(pg_stack, "verify", backup_id)
    assert (verify.returncode, verify.stdout.strip()) == (0, f"backup {backup_id}: ok")
    assert backup_id in blogadmin(pg_stack, "list").stdout

    refused = blogadmin(pg_stack, "restore", backup_id)
    assert refused.returncode == 2 and "confirm=True" in refused.stderr
    check = blogadmin(pg_stack, "check")
    assert check.returncode == 0 and "no problems found" in check.stdout
