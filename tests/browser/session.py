"""Signing in through the login form, as a person does, for the browser tests."""

from urllib.parse import quote

from tests.conftest import PASSWORD


def sign_in(page, live_server, username: str, next_url: str = "/", password: str = PASSWORD):
    """Sign in and wait until the page the form leads to has loaded and run its scripts.

    The deferred scripts (HTMX, the entry form's behaviour) attach their handlers after the
    page's elements are there: a choice made or a key typed as soon as an element shows can
    go unheard, and on a busy machine it did."""
    page.goto(f"{live_server.url}/accounts/login/?next={quote(next_url, safe='/')}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Đăng nhập").click()
