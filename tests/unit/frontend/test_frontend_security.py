"""Issue 12 on the frontend (over the fake services): server-side sessions that sign-out
ends, signing out everywhere, rate limits as form errors, the current password for email
and password changes."""

from common.errors import TooManyRequests
from frontend.app import create_app
from tests.unit.fake_services import FakeRpc
from tests.unit.frontend.pages import (
    PASSWORD,
    csrf_token,
    errors_beside,
    make_user,
    page_text,
    sign_in_as,
    submit,
    write_article,
)


def session_cookie(client):
    return client.get_cookie("session").value


def test_the_cookie_holds_a_server_side_session_not_the_api_token(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    with client.session_transaction() as session:
        assert session["token"].startswith("sess.")
    assert fake_rpc.last_call("users", "start_session").kwargs == {"token": fake_rpc.token_of(1)}


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(app, client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    copied = session_cookie(client)
    assert client.get("/settings").status_code == 200

    submit(client, "/logout")

    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_everywhere_ends_the_other_browsers_too(app, client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    other = app.test_client()
    response = submit(other, "/login", email="ann@example.com", password=PASSWORD)
    assert response.status_code == 302
    assert "Sign out everywhere" in page_text(client.get("/settings"))

    response = submit(client, "/settings/sign-out-everywhere")

    assert response.status_code == 302
    assert other.get("/settings").status_code == 302
    assert client.get("/settings").status_code == 302


def test_the_session_cookie_lifetime_is_configurable_and_short_by_default():
    default = create_app({"SECRET_KEY": "unit-test-secret"}, rpc=FakeRpc())
    assert default.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    configured = create_app(
        {"SECRET_KEY": "unit-test-secret", "SESSION_LIFETIME_SECONDS": 600}, rpc=FakeRpc()
    )
    assert configured.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 600
    assert configured.config["SESSION_REFRESH_EACH_REQUEST"]


def test_too_many_logins_is_a_form_error_and_429(client, fake_rpc):
    make_user(fake_rpc, "ann")
    fake_rpc.fail_next("users", "login", TooManyRequests("too many attempts", 240))
    response = submit(client, "/login", email="ann@example.com", password=PASSWORD)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "240"
    assert errors_beside(response, "password") == ["Too many attempts. Try again in 4 minutes."]
    assert fake_rpc.last_call("users", "login").kwargs["client_address"] == "127.0.0.1"


def test_too_many_registrations_is_a_form_error_and_429(client, fake_rpc):
    fake_rpc.fail_next("users", "register", TooManyRequests("too many attempts", 60))
    response = submit(
        client, "/register", username="ann", email="ann@example.com", password=PASSWORD
    )
    assert response.status_code == 429
    assert errors_beside(response, "email") == ["Too many attempts. Try again in 1 minute."]


def test_changing_the_email_or_password_asks_for_the_current_password(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    settings = {
        "image": "",
        "username": "ann",
        "bio": "",
        "email": "new@example.com",
        "password": "",
    }

    missing = submit(client, "/settings", **settings)
    wrong = submit(client, "/settings", **settings, current_password="not it")
    assert missing.status_code == wrong.status_code == 422
    assert errors_beside(missing, "current_password") == [
        "is needed to change the email or password"
    ]
    assert errors_beside(wrong, "current_password") == ["is wrong"]
    assert fake_rpc.users.get_user(user_id=1)["email"] == "ann@example.com"

    response = submit(client, "/settings", **settings, current_password=PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert fake_rpc.users.get_user(user_id=1)["email"] == "new@example.com"


def test_other_settings_need_no_current_password(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    response = submit(
        client,
        "/settings",
        image="",
        username="ann",
        bio="Hello",
        email="ann@example.com",
        password="",
    )
    assert response.status_code == 302
    assert "current_password" not in fake_rpc.last_call("users", "update_user").kwargs


def test_register_with_no_fields_is_a_form_error_not_a_500(client):
    response = client.post("/register", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 422


def test_a_request_body_over_the_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Too large" in page_text(response)


def test_the_limit_is_configured_and_on_by_default():
    app = create_app({"SECRET_KEY": "unit-test-secret"}, rpc=FakeRpc())
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    app = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"MAX_BODY_BYTES": 5}}, rpc=FakeRpc()
    )
    assert app.config["MAX_CONTENT_LENGTH"] == 5


def test_a_page_number_past_any_list_is_404_not_500(client):
    for path in (
        "/?page=" + "1" + "0" * 20,
        "/tag/x?page=100000000000",
        "/profile/nobody?page=" + "9" * 30,
    ):
        assert client.get(path).status_code in (404,), path


def test_a_next_with_cr_or_lf_goes_home(client, fake_rpc):
    make_user(fake_rpc, "ann")
    for target in ("/settings\r\nSet-Cookie: x=1", "/\nfoo", "/%0d%0a"):
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client),
                "email": "ann@example.com",
                "password": PASSWORD,
                "next": target,
            },
        )
        assert response.status_code == 302
        assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
        client.post("/logout", data={"csrf_token": csrf_token(client)})


def test_feed_links_come_from_the_public_url_not_the_host_header(client, fake_rpc):
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello")
    for path in ("/feed.atom", "/profile/ann/feed.atom"):
        feed = page_text(client.get(path, headers={"Host": "evil.example"}))
        assert "evil.example" not in feed
        assert "http://localhost/article/hello" in feed


FORGED_HOST = "forged.example"
ROUTE_VALUES = {
    "<slug>": "hello",
    "<username>": "ann",
    "<tag>": "news",
    "<path:filename>": "style.css",
}


def every_page_path(app):
    """A path for every GET route of the app, its placeholders filled with ann's article."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = rule.rule
        for placeholder, value in {**ROUTE_VALUES, "<name>": asset_name(app)}.items():
            path = path.replace(placeholder, value)
        assert "<" not in path, f"no value for a placeholder of {rule.rule}"
        paths.append(path)
    return paths


def asset_name(app):
    return app.extensions["assets"]["style.css"].hashed_name


def test_no_page_takes_its_absolute_urls_from_a_forged_host(app, client, fake_rpc):
    """Every GET route, signed in, with a forged Host: nothing in the body or the headers
    names that host; the article page's og:url and article:author use the public URL."""
    ann = make_user(fake_rpc, "ann")
    write_article(fake_rpc, ann, "Hello", tags=["news"])
    fake_rpc.blog.add_comment(slug="hello", author_id=ann["id"], body="first")
    assert submit(client, "/login", email=ann["email"], password=PASSWORD).status_code == 302
    for path in every_page_path(app):
        response = client.get(path, headers={"Host": FORGED_HOST})
        assert response.status_code in (200, 302), (path, response.status_code)
        assert FORGED_HOST not in page_text(response), path
        assert FORGED_HOST not in str(response.headers), path
    article = page_text(client.get("/article/hello", headers={"Host": FORGED_HOST}))
    assert '<meta property="og:url" content="http://localhost/article/hello">' in article
    assert '<meta property="article:author" content="http://localhost/profile/ann">' in article


def test_auth_and_settings_pages_are_never_cached(client, fake_rpc):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/register").headers["Cache-Control"] == "no-store"
    sign_in_as(client, fake_rpc, "ann")
    assert client.get("/settings").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_every_answer_says_https_only_when_the_public_url_is_https(fake_rpc):
    """Pages, static files (plain and hashed), error pages: HSTS on each; none over http."""
    secure = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"PUBLIC_URL": "https://blog.example"}},
        rpc=fake_rpc,
    )
    plain = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"PUBLIC_URL": "http://127.0.0.1:8080"}},
        rpc=fake_rpc,
    )
    hashed = secure.extensions["assets"]["style.css"].hashed_name
    for path in ("/", "/login", "/static/style.css", f"/assets/{hashed}", "/no-such-page"):
        answer = secure.test_client().get(path)
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000", path
        assert "Strict-Transport-Security" not in plain.test_client().get(path).headers, path


def test_the_cookie_is_secure_when_the_public_url_is_https(fake_rpc):
    from frontend.app import create_app

    app = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"PUBLIC_URL": "https://blog.example"}},
        rpc=fake_rpc,
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    make_user(fake_rpc, "ann")
    response = submit(client, "/login", email="ann@example.com", password=PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]
    plain = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"PUBLIC_URL": "http://127.0.0.1:8080"}},
        rpc=fake_rpc,
    )
    assert plain.config["SESSION_COOKIE_SECURE"] is False


def test_images_in_the_csp_are_https_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    img = [part.strip() for part in policy.split(";") if part.strip().startswith("img-src")][0]
    assert img == "img-src 'self' https:"


def test_control_characters_in_a_title_are_a_form_error(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    response = submit(
        client, "/editor", title="bad\x01\x0b\x1b", description="d", body="b", tags=""
    )
    assert response.status_code == 422
    assert errors_beside(response, "title") == ["must not contain control characters"]


def test_a_chunked_body_over_the_limit_is_413_not_a_cut_form(fake_rpc):
    """A chunked body has no Content-Length (gunicorn marks its input terminated); Werkzeug
    alone would cut it at the limit and the page would say 'form expired'."""
    import io

    from frontend.app import create_app

    app = create_app(
        {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"MAX_BODY_BYTES": 1000}}, rpc=fake_rpc
    )
    response = app.test_client().post(
        "/login",
        input_stream=io.BytesIO(b"email=" + b"x" * 5000),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={
            "wsgi.input_terminated": True,
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )
    assert response.status_code == 413


def test_too_many_current_password_checks_are_a_form_error_and_429(client, fake_rpc):
    sign_in_as(client, fake_rpc, "ann")
    fake_rpc.fail_next("users", "update_user", TooManyRequests("too many attempts", 120))
    response = submit(
        client,
        "/settings",
        image="",
        username="ann",
        bio="",
        email="new@example.com",
        password="",
        current_password="a guess",
    )
    assert response.status_code == 429
    assert errors_beside(response, "current_password") == [
        "Too many attempts. Try again in 2 minutes."
    ]
    assert fake_rpc.last_call("users", "update_user").kwargs["client_address"] == "127.0.0.1"
