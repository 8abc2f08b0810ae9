"""Replaying the change log never shows text that the thread no longer shows.

A reader who resumes an event stream (Last-Event-ID, or ?last_event_id=0 by
hand) gets the thread's changes since then. Each replayed comment must be in
the form a fresh GET of the thread gives now: edited text instead of the
original, a removal for a deleted or rejected comment, a hidden comment
without its text.
"""

from __future__ import annotations

import httpx2 as httpx
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.service.kit import EVENTS, OPEN, PASSWORD, Event, Worker, post_async, run

SECRET = "zadzwoń pod 600 100 200"


async def replay(worker: Worker, since: int = 0) -> list[Event]:
    """Everything an anonymous reader resuming after `since` is sent before live events:
    the thread's changes up to the latest, which the thread's JSON names."""
    last = (await public_thread(worker))["thread"]["last_event_id"]
    stream = await worker.stream(f"{EVENTS}?last_event_id={since}")
    replayed: list[Event] = []
    while last > since and (not replayed or replayed[-1].id < last):
        replayed.append(await stream.next_event())
    await stream.close()
    return replayed


async def moderator(worker: Worker) -> httpx.AsyncClient:
    person = await worker.person("Moderatorka")
    response = await person.post("/api/v1/admin/session", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return person


async def signed_in(worker: Worker, login: str) -> httpx.AsyncClient:
    """A person the company sign-in names (header mode; the test client is a trusted peer)."""
    person = await worker.person()
    person.headers["x-forwarded-user"] = login
    return person


async def public_thread(worker: Worker, slug: str = OPEN) -> dict:
    anonymous = await worker.person()
    response = await anonymous.get(f"/api/v1/threads/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


def flat(comments: list[dict]) -> dict[str, dict]:
    found = {}
    for comment in comments:
        found[comment["id"]] = comment
        found.update(flat(comment["replies"]))
    return found


def texts(events: list[Event]) -> str:
    """Every replayed comment's text and author, as one string to search."""
    parts = []
    for event in events:
        comment = event.data.get("comment")
        if comment:
            parts += [comment["body_html"], str(comment["author"])]
    return "\n".join(parts)


def test_replay_of_an_edited_comment_carries_the_current_text(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, SECRET)
        response = await ewa.patch(f"/api/v1/comments/{posted['id']}", json={"body": "Poprawione"})
        assert response.status_code == 200
        replayed = await replay(worker)
        assert SECRET not in texts(replayed)
        comments = [e.data["comment"] for e in replayed if e.name == "comment"]
        assert comments and all(c["body_html"] == "<p>Poprawione</p>" for c in comments)
        assert all(c["edited"] is not None for c in comments)

    run(settings, scenario)


def test_replay_of_a_comment_its_author_deleted_is_a_removal(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, SECRET)
        assert (await ewa.delete(f"/api/v1/comments/{posted['id']}")).status_code == 204
        replayed = await replay(worker)
        assert SECRET not in texts(replayed)
        assert "Ewa" not in texts(replayed)
        assert [e.name for e in replayed] == ["comment_deleted", "comment_deleted"]
        assert all(e.data["id"] == posted["id"] for e in replayed)

    run(settings, scenario)


def test_replay_of_a_deleted_comment_with_replies_is_its_placeholder(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        posted = await post_async(ewa, SECRET)
        await post_async(jan, "Odpowiedź", parent=posted["id"])
        assert (await ewa.delete(f"/api/v1/comments/{posted['id']}")).status_code == 204
        replayed = await replay(worker)
        assert SECRET not in texts(replayed) and "Ewa" not in texts(replayed)
        current = flat((await public_thread(worker))["comments"])[posted["id"]]
        first = replayed[0].data["comment"]
        assert first == current | {"replies": []}
        assert first["deleted"] is True and first["body_html"] == ""

    run(settings, scenario)


def test_replay_of_a_comment_a_moderator_hid_has_no_text(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, SECRET)
        mod = await moderator(worker)
        path = f"/api/v1/comments/{posted['id']}/hidden"
        assert (await mod.put(path, json={"reason": "dane osobowe"})).status_code == 200
        replayed = await replay(worker)
        assert SECRET not in texts(replayed) and "Ewa" not in texts(replayed)
        hidden = [e.data["comment"] for e in replayed if e.name == "comment"]
        assert hidden and all(
            c["hidden"] == {"reason": "dane osobowe", "auto": False} for c in hidden
        )

    run(settings, scenario, admin_password=PASSWORD)


def test_replay_of_a_comment_hidden_by_reports_has_no_text(settings):
    async def scenario(worker: Worker) -> None:
        posted = await post_async(await signed_in(worker, "ewa"), SECRET)
        for login in ("jan", "ola"):
            reader = await signed_in(worker, login)
            path = f"/api/v1/comments/{posted['id']}/flags"
            assert (await reader.post(path, json={"reason": "spam"})).status_code == 201
        current = flat((await public_thread(worker))["comments"])[posted["id"]]
        assert current["hidden"] is not None and current["body_html"] == ""
        replayed = await replay(worker)
        assert SECRET not in texts(replayed) and "ewa" not in texts(replayed)

    # Reports hide a comment on their own in header mode only (open mode queues them).
    run(settings, scenario, auth="header", flag_threshold=2)


def test_replay_of_a_rejected_comment_shows_nothing_of_it(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, SECRET)
        assert posted["approved"] is False
        mod = await moderator(worker)
        answer = await post_async(mod, "Odpowiedź moderatorki")  # published at once
        response = await mod.delete(f"/api/v1/comments/{posted['id']}/approved")
        assert response.status_code == 200
        replayed = await replay(worker)
        assert SECRET not in texts(replayed) and "Ewa" not in texts(replayed)
        assert [e.data["comment"]["id"] for e in replayed if e.name == "comment"] == [answer["id"]]

    run(settings, scenario, admin_password=PASSWORD, premoderation=True)


# --- everything at once ---------------------------------------------------------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["post", "reply", "edit", "delete", "hide", "unhide", "approve",
                         "reject", "like"]),
        st.integers(min_value=0, max_value=20),
    ),
    min_size=1,
    max_size=14,
)  # fmt: skip


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS, premoderation=st.booleans())
def test_replay_from_zero_never_shows_text_the_thread_no_longer_shows(
    settings, actions, premoderation
):
    """After any sequence of changes, an anonymous replay from id 0 holds no text,
    author or comment that a fresh anonymous GET of the thread does not show."""

    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        mod = await moderator(worker)
        ids: list[str] = []
        for number, (action, pick) in enumerate(actions):
            target = ids[pick % len(ids)] if ids else None
            text = f"tekst-{number}"
            if action == "post" or target is None:
                ids.append((await post_async(ewa if number % 2 else jan, text))["id"])
                continue
            comment = f"/api/v1/comments/{target}"
            if action == "reply":
                response = await jan.post(
                    f"/api/v1/threads/{OPEN}/comments", json={"body": text, "parent": target}
                )
                if response.status_code == 201:
                    ids.append(response.json()["id"])
            elif action == "edit":
                for person in (ewa, jan):
                    await person.patch(comment, json={"body": text})
            elif action == "delete":
                await (ewa if pick % 2 else mod).delete(comment)
            elif action == "hide":
                await mod.put(f"{comment}/hidden", json={"reason": f"powód-{number}"})
            elif action == "unhide":
                await mod.delete(f"{comment}/hidden")
            elif action == "approve":
                await mod.put(f"{comment}/approved")
            elif action == "reject":
                await mod.delete(f"{comment}/approved")
            elif action == "like":
                await ewa.put(f"{comment}/reactions/like")

        current = flat((await public_thread(worker))["comments"])
        replayed = await replay(worker)
        shown = {
            (c["id"], c["body_html"], str(c["author"]), c["hidden"] is None)
            for c in current.values()
        }
        for event in replayed:
            if event.name == "comment":
                c = event.data["comment"]
                assert c["id"] in current, f"replayed a comment the thread does not show: {c}"
                assert (c["id"], c["body_html"], str(c["author"]), c["hidden"] is None) in shown
            elif event.name == "comment_deleted":
                kept = current.get(event.data["id"])
                assert kept is None or kept["deleted"], event
        # Applied in order, the replay ends where the thread is.
        final: dict[str, dict] = {}
        for event in replayed:
            if event.name == "comment":
                final[event.data["comment"]["id"]] = event.data["comment"]
            elif event.name == "comment_deleted" and not event.data["placeholder"]:
                final.pop(event.data["id"], None)
        for comment_id, comment in final.items():
            assert comment_id in current
            assert comment["body_html"] == current[comment_id]["body_html"]

    run(settings, scenario, admin_password=PASSWORD, premoderation=premoderation)
