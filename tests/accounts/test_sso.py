"""Single sign-on through OpenID Connect, against a fake provider on this machine."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from dieuhanh.core.models import AuditRecord

pytestmark = pytest.mark.django_db

CLIENT_ID = "dieuhanh"
SECRET = "a-shared-secret-of-the-fake-provider-0123456789"


class FakeProvider:
    """Token and userinfo endpoints of an OpenID provider, signing ID tokens with HS256."""

    def __init__(self):
        self.grants: dict[str, tuple[str, dict]] = {}  # code -> (nonce, claims)
        self.signing_secret = SECRET
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                form = urllib.parse.parse_qs(
                    self.rfile.read(int(self.headers["Content-Length"])).decode()
                )
                code = form.get("code", [""])[0]
                if self.path != "/token" or code not in provider.grants:
                    return self.reply(400, {"error": "invalid_grant"})
                nonce, claims = provider.grants[code]
                now = int(time.time())
                id_token = jwt.encode(
                    {
                        "iss": provider.url,
                        "aud": CLIENT_ID,
                        "sub": claims["sub"],
                        "iat": now,
                        "exp": now + 300,
                        "nonce": nonce,
                    },
                    provider.signing_secret,
                    algorithm="HS256",
                )
                return self.reply(
                    200,
                    {"access_token": f"at-{code}", "id_token": id_token, "token_type": "Bearer"},
                )

            def do_GET(self):
                token = self.headers.get("Authorization", "").removeprefix("Bearer at-")
                if self.path != "/userinfo" or token not in provider.grants:
                    return self.reply(401, {"error": "invalid_token"})
                return self.reply(200, provider.grants[token][1])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake.url}/userinfo"
    yield fake
    fake.close()


def start(client):
    response = client.get("/accounts/sso/start/")
    assert response.status_code == 302
    query = urllib.parse.parse_qs(urllib.parse.urlparse(response["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]
    return query["state"][0], query["nonce"][0]


def test_a_known_user_signs_in_through_the_provider(client, provider, user):
    html = client.get("/accounts/login/").content.decode()
    assert 'data-testid="sso-login"' in html
    state, nonce = start(client)
    provider.grants["code-1"] = (nonce, {"sub": "42", "preferred_username": "nhanvien"})
    response = client.get("/accounts/sso/callback/", {"code": "code-1", "state": state})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="login", user=user).exists()


def test_an_unknown_person_is_refused_and_no_account_is_created(client, provider, user):
    state, nonce = start(client)
    provider.grants["code-2"] = (nonce, {"sub": "7", "preferred_username": "nguoi.la"})
    response = client.get("/accounts/sso/callback/", {"code": "code-2", "state": state})
    assert response["Location"].startswith("/accounts/login/?sso=failed")
    assert "Đăng nhập một lần không thành công" in client.get(response["Location"]).content.decode()
    assert not type(user).objects.filter(username="nguoi.la").exists()
    assert AuditRecord.objects.filter(action="login_failed", user_name="nguoi.la").exists()


def test_a_forged_token_or_a_replayed_state_is_refused(client, provider, user):
    state, nonce = start(client)
    provider.grants["code-3"] = (nonce, {"sub": "42", "preferred_username": "nhanvien"})
    provider.signing_secret = "not-the-shared-secret-at-all-0123456789abcdef"
    client.get("/accounts/sso/callback/", {"code": "code-3", "state": state})
    assert "_auth_user_id" not in client.session
    provider.signing_secret = SECRET
    response = client.get("/accounts/sso/callback/", {"code": "code-3", "state": state})
    assert "_auth_user_id" not in client.session  # the state was used up
    assert response.status_code in (302, 400)


def test_without_configuration_there_is_no_single_sign_on(client, user):
    assert client.get("/accounts/sso/start/").status_code == 404
    assert 'data-testid="sso-login"' not in client.get("/accounts/login/").content.decode()
