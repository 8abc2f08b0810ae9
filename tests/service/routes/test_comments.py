"""Comments: writing, replying, editing and deleting, and who may do each."""

from __future__ import annotations

import pytest

from tests.service.kit import COMMENTS, THREAD, assert_api_error, comment_id, send_comment

# --- writing comments ---------------------------------------------------------------------


def test_comment_post_renders_markdown(client):
    response = send_comment(client, "**Świetnie**, [więcej](https://intranet.example/x)")
    assert response.status_code == 201
    comment = response.json()
    assert comment["body_html"].startswith("<p><strong>Świetnie</strong>")
    assert 'rel="nofollow noopener noreferrer"' in comment["body_html"]
    assert comment["author"]["name"] == "Ewa" and comment["mine"] is True
    assert comment["body"].startswith("**Świetnie**")
    assert comment["created"].endswith("Z") and comment["edited"] is None
    assert comment["parent"] is None and comment["deleted"] is False
    assert comment["reactions"] == {"like": 0} and comment["replies"] == []


def test_comment_others_see_it_without_source(client, make_client):
    comment_id(client, "Pierwszy")
    other = make_client("Jan")
    comments = other.get(THREAD).json()["comments"]
    assert [c["body_html"] for c in comments] == ["<p>Pierwszy</p>"]
    assert comments[0]["mine"] is False and "body" not in comments[0]
    mine = client.get(THREAD).json()["comments"][0]
    assert mine["mine"] is True and mine["body"] == "Pierwszy"
    assert other.get(THREAD).json()["thread"]["comment_count"] == 1


def test_comment_replies_nest_under_their_parents(client, make_client):
    first = comment_id(client, "Pytanie")
    jan = make_client("Jan")
    reply = comment_id(jan, "Odpowiedź", parent=first)
    deeper = comment_id(client, "Dopytanie", parent=reply)
    comments = jan.get(THREAD).json()["comments"]
    assert [c["id"] for c in comments] == [first]
    assert comments[0]["replies"][0]["id"] == reply
    assert comments[0]["replies"][0]["replies"][0]["id"] == deeper
    assert comments[0]["replies"][0]["parent"] == first


def test_comment_translations_share_one_thread(client):
    comment_id(client, "Po polsku")
    assert client.get(THREAD).json()["thread"]["comment_count"] == 1


@pytest.mark.parametrize(
    "parent",
    [
        pytest.param("999999", id="missing"),
        pytest.param(7, id="not-a-string"),
        pytest.param("abc", id="not-an-id"),
    ],
)
def test_comment_reply_to_unknown_parent_is_refused(client, parent):
    assert_api_error(send_comment(client, parent=parent), 422, "invalid_field", "parent")


def test_comment_reply_across_threads_is_refused(client):
    other = comment_id(client, slug="must-read")
    assert_api_error(send_comment(client, parent=other), 422, "invalid_field", "parent")


def test_comment_reply_to_deleted_placeholder_is_409(client, make_client):
    first = comment_id(client, "Pytanie")
    jan = make_client("Jan")
    comment_id(jan, "Odpowiedź", parent=first)
    client.delete(f"/api/v1/comments/{first}")
    assert_api_error(
        send_comment(jan, "Jeszcze jedna", parent=first), 409, "parent_deleted", "parent"
    )


def test_comment_in_closed_thread_is_refused(client):
    assert_api_error(send_comment(client, slug="closed-news"), 403, "thread_locked")
    assert client.get("/api/v1/threads/closed-news").json()["thread"]["locked"] is True


def test_comment_needs_a_display_name(anonymous):
    assert_api_error(send_comment(anonymous), 401, "not_signed_in")


@pytest.mark.parametrize(
    "body, code",
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   \n ", "empty", id="blank"),
        pytest.param("a" * 5001, "too_long", id="too-long"),
        pytest.param("bell\x07", "control_character", id="control-character"),
        pytest.param("nul\x00", "control_character", id="nul"),
        pytest.param(12, "invalid_type", id="not-text"),
        pytest.param(None, "invalid_type", id="null"),
    ],
)
def test_comment_invalid_body_is_refused(client, body, code):
    error = assert_api_error(send_comment(client, body), 422, code or "invalid_field", "body")
    assert error["code"] != "internal_error"


def test_comment_longest_body_is_accepted(client):
    assert send_comment(client, "ą" * 5000).status_code == 201


# --- editing and deleting -----------------------------------------------------------------


def test_comment_edit_own_marks_it_edited(client, make_client):
    cid = comment_id(client, "Literówka")
    response = client.patch(f"/api/v1/comments/{cid}", json={"body": "Bez literówki"})
    assert response.status_code == 200
    assert response.json()["body_html"] == "<p>Bez literówki</p>"
    assert response.json()["edited"].endswith("Z")
    seen = make_client("Jan").get(THREAD).json()["comments"][0]
    assert seen["body_html"] == "<p>Bez literówki</p>" and seen["edited"]


def test_comment_edit_of_someone_else_is_403(client, make_client):
    cid = comment_id(client)
    jan = make_client("Jan")
    assert_api_error(jan.patch(f"/api/v1/comments/{cid}", json={"body": "Moje!"}), 403, "forbidden")


def test_comment_edit_unknown_is_404(client):
    for cid in ("424242", "abc", "-1"):
        response = client.patch(f"/api/v1/comments/{cid}", json={"body": "x"})
        assert_api_error(response, 404, "comment_not_found")


def test_comment_edit_needs_valid_body(client):
    cid = comment_id(client)
    assert_api_error(
        client.patch(f"/api/v1/comments/{cid}", json={"body": ""}), 422, "empty", "body"
    )


def test_comment_delete_own_removes_it(client):
    cid = comment_id(client)
    assert client.delete(f"/api/v1/comments/{cid}").status_code == 204
    data = client.get(THREAD).json()
    assert data["comments"] == [] and data["thread"]["comment_count"] == 0
    assert client.delete(f"/api/v1/comments/{cid}").status_code == 404


def test_comment_delete_with_replies_leaves_placeholder(client, make_client):
    first = comment_id(client, "Do usunięcia")
    jan = make_client("Jan")
    reply = comment_id(jan, "Odpowiedź", parent=first)
    assert client.delete(f"/api/v1/comments/{first}").status_code == 204
    placeholder = jan.get(THREAD).json()["comments"][0]
    assert placeholder["deleted"] is True and placeholder["author"] is None
    assert placeholder["body_html"] == "" and placeholder["replies"][0]["id"] == reply
    assert jan.get(THREAD).json()["thread"]["comment_count"] == 1
    assert_api_error(
        client.patch(f"/api/v1/comments/{first}", json={"body": "x"}),
        409,
        "comment_deleted",
    )
    # The last reply gone, the placeholder goes too.
    assert jan.delete(f"/api/v1/comments/{reply}").status_code == 204
    assert jan.get(THREAD).json()["comments"] == []


def test_comment_delete_of_someone_else_is_403(client, make_client):
    cid = comment_id(client)
    assert_api_error(make_client("Jan").delete(f"/api/v1/comments/{cid}"), 403, "forbidden")


def test_comment_delete_unknown_is_404(client):
    assert_api_error(client.delete("/api/v1/comments/31337"), 404, "comment_not_found")


# --- ids in paths and bodies --------------------------------------------------------------


@pytest.mark.parametrize(
    "raw_id",
    ["%C2%B2", "%C2%B9%C2%B2", "%D9%A3", "1%C2%B2", "%EF%BC%91", "0" * 19, "9" * 30],
)
def test_ids_are_ascii_digits_in_paths(client, raw_id):
    """ "²" and "٣" are digits to str.isdigit() but not to int(): 404, not 500."""
    for method, path in (
        ("PATCH", f"/api/v1/comments/{raw_id}"),
        ("DELETE", f"/api/v1/comments/{raw_id}"),
        ("PUT", f"/api/v1/comments/{raw_id}/reactions/like"),
        ("POST", f"/api/v1/comments/{raw_id}/flags"),
    ):
        body = {"body": "x"} if method == "PATCH" else {"reason": "x"} if method == "POST" else None
        response = client.request(method, path, json=body)
        assert_api_error(response, 404, "comment_not_found")


@pytest.mark.parametrize("parent", ["²", "¹²", "٣", "１", "1²", "-1", "1.0", " 1"])
def test_parent_ids_are_ascii_digits(client, parent):
    comment_id(client)
    response = send_comment(client, "Odpowiedź", parent=parent)
    assert_api_error(response, 422, "invalid_field", "parent")


# --- the article's author, by who they are ------------------------------------------------


def test_article_author_badge_is_never_given_in_open_mode(make_client):
    """Anyone may call themselves "Anna Nowak" in open mode: the name proves nothing."""
    impostor = make_client("Anna Nowak")
    posted = send_comment(impostor, "Jako autorka artykułu...").json()
    assert posted["article_author"] is False
    assert impostor.get(THREAD).json()["comments"][0]["article_author"] is False


def test_article_author_badge_comes_from_the_login_in_header_mode(header_client):
    client = header_client()
    author = {"x-forwarded-user": "anowak", "x-forwarded-preferred-username": "Ania"}
    namesake = {"x-forwarded-user": "anowak2", "x-forwarded-preferred-username": "Anna Nowak"}
    by_author = client.post(COMMENTS, json={"body": "Od autorki"}, headers=author).json()
    by_namesake = client.post(COMMENTS, json={"body": "Imienniczka"}, headers=namesake).json()
    assert by_author["article_author"] is True and by_namesake["article_author"] is False
    shown = {c["id"]: c["article_author"] for c in client.get(THREAD).json()["comments"]}
    assert shown == {by_author["id"]: True, by_namesake["id"]: False}
    # Only on the article they wrote.
    elsewhere = client.post(
        "/api/v1/threads/must-read/comments", json={"body": "Gdzie indziej"}, headers=author
    )
    assert elsewhere.json()["article_author"] is False
