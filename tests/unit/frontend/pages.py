"""What a browser does on the frontend's pages, for the unit tests in this folder
(their ``app`` and ``client`` fixtures are in conftest.py, ``fake_rpc`` one level up)."""

import re

PASSWORD = "violet-harbour-42"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client):
    """The token a real browser would find in any form of the site."""
    return CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)


def submit(client, path, **fields):
    """POST a form the way a browser does, CSRF token included."""
    return client.post(path, data={"csrf_token": csrf_token(client), **fields})


def make_user(fake_rpc, username):
    return fake_rpc.users.register(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )


def sign_in_as(client, fake_rpc, username):
    """Register ``username`` in the fake and sign in through the login form."""
    user = make_user(fake_rpc, username)
    response = submit(client, "/login", email=user["email"], password=PASSWORD)
    assert response.status_code == 302
    return user


def write_article(fake_rpc, author, title, body="Some *text*.", tags=()):
    return fake_rpc.blog.create_article(
        author_id=author["id"],
        title=title,
        description=f"About {title}",
        body=body,
        tag_list=list(tags),
    )


def page_text(response):
    return response.get_data(as_text=True)


def errors_beside(response, field):
    """The messages listed under ``field`` in the page."""
    match = re.search(
        rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', page_text(response), re.S
    )
    return re.findall(r"<li>([^<]*)</li>", match.group(1)) if match else []
