"""Findings 4, 5 and 9 of the hardening issue over HTTP: the join API's
answers to text it cannot store and to deep JSON, session cookies that hold
no token (and several staff links in one browser), and no caching of
responses that carry tokens."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from tests.conftest import form_token


def _cookie_session(app, client) -> dict:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(cookie.value)


def _raw_cookie(app, client) -> str:
    return client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value


def test_join_refuses_lone_surrogates_with_400(client, demo):
    body = ('{"code": "%s", "name": "Ani\\ud800", "category": "LSM"}' % demo.sites[0].join_code)
    r = client.post("/api/join?lang=en", data=body, content_type="application/json")
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == "invalid"


def test_join_refuses_deep_json_with_400(client, demo):
    body = '{"code": ' + "[" * 50_000 + "]" * 50_000 + "}"
    r = client.post("/api/join?lang=en", data=body, content_type="application/json")
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and "nested" in error["message"]


def test_the_session_cookie_holds_no_token(app, client, demo):
    assert client.get(f"/f/{demo.facilitator_token}").status_code == 200
    assert client.get(f"/h/{demo.sites[0].host_token}").status_code == 200
    raw = _raw_cookie(app, client)
    content = repr(_cookie_session(app, client))
    for token in (demo.facilitator_token, demo.sites[0].host_token):
        assert token not in raw and token not in content


def test_staff_links_of_several_roles_coexist_in_one_browser(client, demo):
    meeting = demo.meeting_id
    assert client.get(f"/f/{demo.facilitator_token}").status_code == 200
    assert client.get(f"/meetings/{meeting}/minutes.md").status_code == 200
    # The projector link opened on the console's laptop, to check the room's screen.
    assert client.get(f"/p/{demo.sites[0].projector_token}").status_code == 200
    assert client.get(f"/h/{demo.sites[1].host_token}").status_code == 200
    assert client.get(f"/meetings/{meeting}/minutes.md").status_code == 200


def test_a_browser_with_only_a_projector_link_gets_no_minutes(client, demo):
    assert client.get(f"/p/{demo.sites[0].projector_token}").status_code == 200
    assert client.get(f"/meetings/{demo.meeting_id}/minutes.md").status_code == 403


def test_responses_with_tokens_are_not_cached(client, demo, organiser):
    r = client.post("/api/join", json={"code": demo.sites[0].join_code, "name": "Ani", "category": "LSM"})
    assert r.status_code == 201 and r.headers.get("Cache-Control") == "no-store"
    form = {"csrf_token": form_token(client, "/meetings/new"),
            "form_key": form_token(client, "/meetings/new", "form_key"),
            "title": "Rapat", "facilitator_name": "Rina", "site_0_name": "Mataram"}
    r = client.post("/meetings/new", data=form)
    assert r.status_code == 201 and "/f/" in r.get_data(as_text=True)
    assert r.headers.get("Cache-Control") == "no-store"
    again = client.post("/meetings/new", data=form)  # the same form again shows the same links
    assert again.status_code == 200 and again.headers.get("Cache-Control") == "no-store"
    assert client.get(f"/f/{demo.facilitator_token}").headers.get("Cache-Control") == "no-store"
