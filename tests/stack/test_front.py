"""Through the real front: sign-in first, identity only from the provider's claims,
bodies stopped at the proxy, the site's caching and headers, live events unbuffered."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx2 as httpx
import pytest

from tests.stack.kit import Stack

SLUG = "polityka-phishing"
THREAD = f"/api/v1/threads/{SLUG}"
SPOOFS = [
    [("X-Forwarded-User", "ceo")],
    [("x-forwarded-user", "ceo"), ("X-FORWARDED-USER", "cfo")],
    [("X_Forwarded_User", "ceo")],
    [("x_forwarded_user", "ceo"), ("X-Forwarded-Groups", "kurier-moderators")],
    [("X-Forwarded-User", "ceo"), ("X-Forwarded-User", "alice")],
    [("X-Forwarded-Preferred-Username", "The CEO"), ("X-Forwarded-Email", "ceo@kurier.example")],
    [("X-Kurier-Proxy-Secret", "guess"), ("X-Forwarded-User", "ceo")],
]


def me(client: httpx.Client, headers=None) -> dict | None:
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["user"]


def test_nothing_is_shown_before_signing_in(stack: Stack) -> None:
    with stack.client() as anonymous:
        for path in ("/", f"/news/{SLUG}.html", "/theme/css/main.css", "/admin/"):
            response = anonymous.get(path)
            assert response.status_code == 302, path
            assert "/oauth2/authorize" in response.headers["location"]
        # The API says 401 (the widget can show it) instead of a redirect fetch() cannot follow.
        assert anonymous.get(THREAD).status_code == 401


def test_who_you_are_comes_from_the_provider_and_nothing_a_browser_sends(stack: Stack) -> None:
    with stack.signed_in("alice") as alice, stack.signed_in("maria") as maria:
        user = me(alice)
        assert (user["id"], user["name"], user["moderator"]) == ("alice", "Alice Kowalska", False)
        assert me(maria)["moderator"] is True
        for spoof in SPOOFS:
            user = me(alice, headers=spoof)
            assert (user["id"], user["name"], user["moderator"]) == (
                "alice", "Alice Kowalska", False,
            ), spoof  # fmt: skip
        posted = alice.post(f"{THREAD}/comments", json={"body": "Przez bramę"},
                            headers={"origin": stack.url, "X-Forwarded-User": "ceo"})  # fmt: skip
        assert posted.status_code == 201, posted.text
        assert posted.json()["author"] == {"id": "alice", "name": "Alice Kowalska"}


@pytest.mark.parametrize("spoof", SPOOFS)
def test_skipping_the_front_gets_no_identity(stack: Stack, spoof) -> None:
    # Straight to nginx: identity headers without the front's secret are dropped.
    with httpx.Client(base_url=stack.nginx, trust_env=False, timeout=10) as nginx:
        response = nginx.get("/api/v1/me", headers=spoof)
        assert response.status_code == 200 and response.json()["user"] is None
    # Straight to the service's socket: nobody, whatever the headers say.
    with stack.service() as service:
        assert me(service, headers=spoof) is None
        assert me(service, headers=[*spoof, ("X-Kurier-Proxy-Secret", "wrong")]) is None
    # With the right secret the socket is the front's way in (which is why it stays secret).
    with stack.service() as service:
        proof = [("X-Kurier-Proxy-Secret", stack.proxy_secret), ("X-Forwarded-User", "alice")]
        assert me(service, headers=proof)["id"] == "alice"


def test_a_body_over_the_limit_stops_at_the_proxy(stack: Stack) -> None:
    with stack.signed_in("bob") as bob:
        body = b'{"body": "' + b"x" * 100 * 1024 + b'"}'  # 100 KiB
        headers = {"origin": stack.url, "content-type": "application/json"}
        response = bob.post(f"{THREAD}/comments", content=body, headers=headers)
        assert response.status_code == 413
        if response.headers.get("content-type", "").startswith("application/json"):
            assert response.json()["error"]["code"] == "body_too_large"
        # nginx answered: the service never saw it (no access line for a 413).
        lines = (stack.runtime / "nginx-access.log").read_text(encoding="utf-8")
        assert re.search(r'"POST /api/v1/threads/[^ ]+/comments HTTP/1.1" 413', lines)


def test_the_site_is_cached_compressed_and_has_the_security_headers(stack: Stack) -> None:
    with stack.signed_in("bob") as bob:
        page = bob.get(f"/news/{SLUG}.html", headers={"accept-encoding": "gzip"})
        assert page.status_code == 200
        assert page.headers["content-encoding"] == "gzip"
        assert page.headers["cache-control"] == "no-cache"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assets = re.findall(r'(?:href|src)="(/theme/[^"]+\?v=[0-9a-f]+)"', page.text)
        assert assets, "the page links no fingerprinted theme file"
        for asset in assets:
            response = bob.get(asset, headers={"accept-encoding": "gzip"})
            assert response.status_code == 200, asset
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        raw = bob.get(assets[0].split("?")[0])
        assert raw.headers["cache-control"] == "no-cache"  # unversioned: revalidated
        feed = bob.get("/feeds/all.atom.xml", headers={"accept-encoding": "gzip"})
        assert feed.status_code == 200 and feed.headers.get("content-encoding") == "gzip"
        assert feed.text.startswith("<?xml")  # decompressed by the client


def test_live_events_pass_through_both_proxies_unbuffered(stack: Stack) -> None:
    with stack.signed_in("alice") as alice, stack.signed_in("bob") as bob:
        received: list[tuple[float, dict]] = []
        opened = threading.Event()

        def listen() -> None:
            with bob.stream("GET", f"{THREAD}/events", timeout=30) as events:
                assert events.status_code == 200
                assert events.headers["content-type"].startswith("text/event-stream")
                opened.set()
                for line in events.iter_lines():
                    if line.startswith("data: "):
                        received.append((time.monotonic(), json.loads(line[6:])))
                        if len(received) == 3:
                            return

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        assert opened.wait(10)
        time.sleep(0.3)
        delays = []
        for n in range(3):
            sent = time.monotonic()
            response = alice.post(f"{THREAD}/comments", json={"body": f"Na żywo {n}"},
                                  headers={"origin": stack.url})  # fmt: skip
            assert response.status_code == 201, response.text
            deadline = time.monotonic() + 2.0
            while len(received) <= n and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(received) > n, f"event {n} did not arrive within 2 s"
            delays.append(received[n][0] - sent)
        reader.join(5)
        assert max(delays) < 2.0, delays
