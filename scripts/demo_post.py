"""Create a user and a post over RPC and read the post back.

    .venv/bin/python scripts/demo_post.py [--username demo]

Run it while `make run` is up. Safe to repeat: an existing demo user signs in
instead, and the post is created with an idempotency key.
"""

import argparse
import json

from common.config import load_config
from common.errors import Conflict
from rpc_client.client import RpcClient


def demo_user(rpc, username, password):
    email = f"{username}@example.com"
    try:
        return rpc.users.register(username=username, email=email, password=password)
    except Conflict:
        return rpc.users.login(email=email, password=password)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo password 123")
    args = parser.parse_args()

    rpc = RpcClient(load_config())
    try:
        user = demo_user(rpc, args.username, args.password)
        created = rpc.blog.create_article(
            author_id=user["id"],
            title="Hello from the RPC demo",
            description="Written by scripts/demo_post.py",
            body="This post was created **over RPC** and read back.",
            tag_list=["demo", "rpc"],
            idempotency_key=f"demo-post-{user['id']}",
        )
        article = rpc.blog.get_article(slug=created["slug"], viewer_id=user["id"])
        print(json.dumps(article, indent=2))
    finally:
        rpc.close()


if __name__ == "__main__":
    main()
