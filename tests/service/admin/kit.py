"""What the admin page tests share: the pages, reading them, and posting their forms."""

from __future__ import annotations

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

PASSWORD = "tajne hasło moderatora"
PAGES = ["/admin/", "/admin/comments", "/admin/threads", "/admin/log", "/admin/mutes",
         "/admin/reports", "/admin/reports/acknowledgements/must-read"]  # fmt: skip


def page(response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html"), response.text
    return BeautifulSoup(response.text, "html.parser")


def token(client: TestClient, path: str = "/admin/") -> str:
    found = page(client.get(path)).find("input", {"name": "csrf"})
    assert found is not None, "the page has no form"
    return found["value"]


def status_text(response) -> str:
    return page(response).find(attrs={"role": "status"}).get_text(" ", strip=True)


def act(client: TestClient, path: str, back: str = "/admin/", **fields) -> object:
    """Post one of the pages' forms, with the page's token, and follow the redirect."""
    data = {"csrf": token(client, back), "back": back, **fields}
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == back
    return client.get(back)


def log_actions(client: TestClient) -> list[tuple]:
    items = client.get("/api/v1/moderation/log").json()["items"]
    return [(e["action"], e["comment"], e["thread"], e["person"], e["reason"]) for e in items]


def headings(table) -> list[str]:
    """The column headings of a table, as read aloud."""
    return [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
