// What readers do with a comment: like it, reply, edit or delete their own,
// report it to the moderators. The widget calls `readerActions` as it draws
// each comment (comments.js sets the hooks).

import { request } from "./api.js";
import { announce, button, el, setToggle, showError, toggle } from "./dom.js";
import { askName, commentForm, confirmDeletion, reportForm } from "./forms.js";
import { translate } from "./i18n.js";
import { canAct, canWrite, needsName, parts, reader, threadPath, views, widget } from "./state.js";
import { actionFailed, drawComment, post, removeComment, setCount, upsert } from "./thread.js";

/** The reader's own hooks: what anyone may do with a comment, added as it is drawn. */
export const readerActions = { commentActions: addActions };

function addActions(view, row) {
  const { comment } = view;
  const likes = comment.reactions?.like || 0;
  // Only moderators see hidden and others' waiting comments: not to be answered or liked.
  const open = !comment.hidden && comment.approved !== false;
  if (comment.mine || !open || !canWrite()) {
    row.append(el("span", "k-c-likes", likes ? translate("likes", { count: likes }) : ""));
  } else {
    const heart = toggle("k-like", translate("like"), "love", () => toggleLike(view, heart));
    setToggle(heart, comment.my_reactions?.includes("like"), likes);
    row.append(heart);
  }
  const add = (key, className, action) =>
    row.append(button(translate(key), className, (event) => action(view, event.currentTarget)));
  if (open && canWrite()) add("reply", "k-link k-reply", reply);
  const editable = comment.mine && !widget.thread.locked;
  if (editable) add("edit", "k-link k-edit", edit);
  if (editable || reader.me?.moderator) add("delete", "k-link", confirmDelete);
  if (view.notice) row.append(el("span", "k-done", translate(view.notice), { tabindex: "-1" }));
  else if (open && !comment.mine && canAct()) add("report", "k-link k-rep", report);
}

export function setLikes(view, likes) {
  view.comment.reactions = { like: likes };
  const out = view.article.querySelector(".k-like .k-n, .k-c-likes");
  if (out?.matches(".k-n")) out.textContent = likes || "";
  else if (out) out.textContent = likes ? translate("likes", { count: likes }) : "";
}

async function toggleLike(view, heart) {
  const row = heart.parentNode;
  if (needsName()) return askName(row, () => toggleLike(view, heart).then(() => heart.focus()));
  try {
    const on = !view.comment.my_reactions?.includes("like");
    const path = "/comments/" + view.comment.id + "/reactions/like";
    const answer = await request(path, on ? "PUT" : "DELETE");
    view.comment.my_reactions = answer.mine;
    setLikes(view, answer.reactions.like);
    heart.setAttribute("aria-pressed", on);
    showError(row, null);
  } catch (error) {
    actionFailed(row, error);
  }
}

function reply(view) {
  if (view.replyForm?.isConnected) return view.replyForm.querySelector("textarea").focus();
  const close = () => {
    view.replyForm.remove();
    // The comment may have been drawn again meanwhile (a live event): its button of now.
    view.article.querySelector(".k-reply")?.focus();
  };
  const parent = view.comment.id;
  const label = translate("reply_label", { name: view.comment.author.name });
  const submit = (body) => post(body, parent);
  view.replyForm = commentForm({
    purpose: "reply",
    label,
    send: translate("send_reply"),
    close,
    submit,
    failed: actionFailed,
  });
  view.item.insertBefore(view.replyForm, view.replies);
  view.replyForm.querySelector("input, textarea").focus();
}

async function edit(view) {
  const { id } = view.comment;
  if (view.comment.body == null) {
    // Edited in another tab: the event had no Markdown source; the API has it.
    try {
      const find = (comments) =>
        comments.reduce((hit, c) => hit || (c.id === id ? c : find(c.replies)), null);
      view.comment.body = find((await request(threadPath)).comments)?.body ?? "";
    } catch (error) {
      return showError(view.article.lastChild, error);
    }
  }
  const close = () => {
    view.editor = null;
    drawComment(view);
    view.article.querySelector(".k-edit")?.focus();
  };
  const submit = async (body) => {
    upsert(await request("/comments/" + id, "PATCH", { body }));
    announce(translate("a_saved"));
  };
  const label = translate("edit_label");
  const send = translate("save");
  const form = commentForm({
    purpose: "edit",
    label,
    send,
    text: view.comment.body,
    close,
    submit,
    failed: actionFailed,
  });
  view.editor = form;
  view.article.lastChild.remove();
  view.article.querySelector(".k-c-body").replaceWith(form);
  form.querySelector("textarea").focus();
}

/** Report a comment to the moderators (once: the service remembers). */
function report(view) {
  if (needsName()) return askName(view.article.lastChild, () => report(view));
  if (view.reportForm?.isConnected) return view.reportForm.querySelector("input").focus();
  const close = () => {
    form.remove();
    view.article.querySelector(".k-rep")?.focus();
  };
  const send = async (reason) => {
    try {
      await request("/comments/" + view.comment.id + "/flags", "POST", { reason });
      view.notice = "reported";
    } catch (error) {
      if (error.code !== "already_reported") throw error;
      view.notice = "e_reported";
    }
    form.remove();
    drawComment(view);
    view.article.querySelector(".k-done").focus();
  };
  const form = (view.reportForm = reportForm({ close, send }));
  view.item.insertBefore(form, view.replies);
  form.querySelector("input").focus();
}

function confirmDelete(view, deleteButton) {
  const confirm = async () => {
    await request("/comments/" + view.comment.id, "DELETE");
    // The live event may have been first: count a deletion once; a waiting one never counted.
    const { comment } = view;
    const counted =
      views.get(comment.id) === view && !comment.deleted && comment.approved !== false;
    removeComment(comment.id, true);
    setCount(Math.max(0, widget.thread.comment_count - counted));
    announce(translate("a_deleted"));
    parts.total.focus();
  };
  confirmDeletion(deleteButton.parentNode, deleteButton, { confirm, failed: actionFailed });
}
