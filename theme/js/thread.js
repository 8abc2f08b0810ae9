// The thread on an article page: the reactions, the count, the form, and the
// comments with their replies (what can be done with each comes from the
// hooks: actions.js, moderate.js). Text from people is set as text; a
// comment's body is the service's sanitised HTML, the one innerHTML of the widget.

import { drawAck } from "./ack.js";
import { request } from "./api.js";
import { announce, avatar, el, setToggle, showError, timeElement, toggle } from "./dom.js";
import { askName, commentForm } from "./forms.js";
import { formatMoment, reactionName, translate } from "./i18n.js";
import { callHooks, mount, needsName, parts, reader, threadPath, views, widget } from "./state.js";

/** Draw the widget for a thread read from the API. */
export function drawThread(data) {
  widget.thread = data.thread;
  parts.ack = el("div", "k-ack");
  parts.reactions = el("div", "k-reactions", null, {
    role: "group",
    "aria-label": translate("reactions"),
  });
  parts.total = el("p", "k-total", null, { tabindex: "-1" });
  parts.sorter = toggle("k-sort", translate("newest"), "sort", switchOrder);
  parts.waiting = el("p", "k-wait");
  parts.list = el("ol", "k-list");
  parts.empty = el("p", "k-empty", translate("none"));
  parts.compose = el("div", "k-compose");
  const bar = el("div", "k-bar");
  bar.append(parts.total, parts.sorter, parts.waiting);
  parts.box.replaceChildren(
    parts.ack,
    parts.reactions,
    bar,
    parts.list,
    parts.empty,
    parts.compose,
  );
  sync(data);
}

/** Bring the page in line with a full thread from the API. */
export function sync(data) {
  const wasLocked = widget.thread.locked;
  widget.thread = data.thread;
  drawAck();
  drawReactions();
  const seen = new Set();
  const walk = (comments) =>
    comments.forEach((comment) => {
      seen.add(comment.id);
      upsert(comment);
      walk(comment.replies);
    });
  walk(data.comments);
  for (const id of views.keys()) if (!seen.has(id)) drop(id);
  const relocked = wasLocked !== widget.thread.locked;
  if (!parts.compose.firstChild || relocked) drawForm();
  if (relocked) views.forEach(drawComment);
  setCount(widget.thread.comment_count);
}

/** `count` public comments; the reader's own that wait for a moderator count for them, noted. */
export function setCount(count) {
  let mine = 0;
  views.forEach(({ comment: c }) => (mine += c.approved === false && !c.deleted && !!c.mine));
  widget.thread.comment_count = count;
  parts.total.textContent = translate("count", { count: count + mine });
  parts.waiting.textContent = translate("waiting", { count: mine });
  parts.waiting.hidden = !mine;
  const shown = parts.list.childElementCount;
  parts.empty.hidden = shown > 0 || widget.thread.locked;
  parts.sorter.hidden = shown < 2;
}

function switchOrder() {
  widget.newestFirst = !widget.newestFirst;
  parts.sorter.setAttribute("aria-pressed", widget.newestFirst);
  const items = [...parts.list.children].sort((a, b) => order(commentOf(a), commentOf(b)));
  for (const item of items) parts.list.append(item);
  parts.list[widget.newestFirst ? "before" : "after"](parts.compose);
}

export function drawReactions() {
  const { thread } = widget;
  const kinds = Object.keys(thread.reactions);
  if (parts.reactions.childElementCount !== kinds.length) {
    parts.reactions.replaceChildren(
      ...kinds.map((kind) => {
        const reaction = toggle("k-react", reactionName(kind), kind, () => react(kind, reaction));
        reaction.dataset.kind = kind;
        return reaction;
      }),
    );
  }
  for (const reaction of parts.reactions.children) {
    const kind = reaction.dataset.kind;
    setToggle(reaction, thread.mine.includes(kind), thread.reactions[kind]);
    reaction.disabled = thread.locked; // closed or locked: read-only, reactions too
  }
}

async function react(kind, reaction) {
  if (needsName()) {
    return askName(parts.reactions, () => react(kind, reaction).then(() => reaction.focus()));
  }
  try {
    const on = !widget.thread.mine.includes(kind);
    Object.assign(
      widget.thread,
      await request(threadPath + "/reactions/" + kind, on ? "PUT" : "DELETE"),
    );
    drawReactions();
    showError(parts.reactions, null);
  } catch (error) {
    actionFailed(parts.reactions, error);
  }
}

/** An action failed: a locked thread shows as locked at once, anything else under `anchor`. */
export function actionFailed(anchor, error) {
  if (error.code !== "thread_locked") return showError(anchor, error);
  widget.thread.locked = true;
  relock();
  parts.compose.firstChild.focus?.();
}

/** The form under the comments, or why there is none. */
function drawForm() {
  const { thread } = widget;
  let form;
  if (thread.locked) {
    // The page itself may already say so (Comments: closed); a moderator's reason it cannot.
    const why = thread.lock_reason;
    const said = !why && mount.querySelector(".k-comments-closed");
    const text = why ? translate("closed_why", { reason: why }) : translate("closed");
    form = said ? el("div") : el("p", "k-note", text, { tabindex: "-1" });
  } else if (!reader.me && reader.auth !== "open") {
    form = el("p", "k-note", translate("e_signin"));
  } else {
    const label = translate("body_label");
    const send = translate("send");
    form = commentForm({ purpose: "comment", label, send, submit: post, failed: actionFailed });
  }
  parts.compose.replaceChildren(form);
  callHooks("threadBar");
}

/** The thread was locked or unlocked: the form and every comment's actions follow. */
export function relock() {
  drawForm();
  drawReactions();
  setCount(widget.thread.comment_count);
  views.forEach(drawComment);
}

/** A new state of the thread (a live event, a moderator's lock) applies. */
export function setThreadState(state) {
  Object.assign(widget.thread, state);
  relock();
}

/** Post a comment (a reply with `parent`): it shows at once, marked while it waits. */
export async function post(body, parent) {
  const comment = await request(
    threadPath + "/comments",
    "POST",
    parent ? { body, parent } : { body },
  );
  const waits = comment.approved === false; // pre-moderated: public once approved
  if (upsert(comment)) setCount(widget.thread.comment_count + !waits);
  announce(translate(waits ? "a_waiting" : "a_posted"));
  highlight(views.get(comment.id));
}

// ---- Comments -----------------------------------------------------------------

const commentOf = (item) => views.get(item.dataset.id).comment;

/** Top level: pinned first, then oldest (or newest) first; replies oldest first. */
function order(a, b) {
  const top = !a.parent;
  const byTime = Date.parse(a.created) - Date.parse(b.created) || a.id - b.id;
  return (top && b.pinned - a.pinned) || (top && widget.newestFirst ? -byTime : byTime);
}

function depth(comment) {
  let levels = 0;
  while ((comment = comment.parent && views.get(comment.parent)?.comment)) levels++;
  return levels;
}

/**
 * Add or update one comment; true if it is new here. Events carry comments as
 * anonymous readers see them (`fromEvent`), so what only the API tells us
 * (mine, my likes, the Markdown source) is kept from what we had.
 */
export function upsert(comment, fromEvent) {
  const view = views.get(comment.id);
  if (fromEvent) {
    const old = view?.comment;
    comment = {
      ...comment,
      mine: !!old?.mine || (!!reader.me && comment.author?.id === reader.me.id),
      my_reactions: old?.my_reactions || [],
      body: old?.body_html === comment.body_html ? old.body : undefined,
    };
  }
  if (view) {
    const moved = !view.comment.pinned !== !comment.pinned;
    view.comment = comment;
    drawComment(view);
    if (moved) place(view.item, comment);
    return false;
  }
  const item = el("li", "k-comment", null, { id: "comment-" + comment.id, "data-id": comment.id });
  const added = { comment, item, article: el("article", "k-c"), replies: el("ol", "k-replies") };
  item.append(added.article, added.replies);
  views.set(comment.id, added);
  drawComment(added);
  place(item, comment);
  return true;
}

/** Put a comment where `order` says (again, when it was pinned or unpinned). */
function place(item, comment) {
  // Moving a node drops the focus: a reader typing in it keeps their place.
  const focused = item.contains(document.activeElement) && document.activeElement;
  item.remove();
  const into = views.get(comment.parent)?.replies || parts.list;
  // Threads arrive in order and new comments are usually the newest: try the end first.
  const last = into.lastElementChild;
  const after = (other) => order(comment, commentOf(other)) < 0;
  into.insertBefore(item, last && after(last) ? [...into.children].find(after) : null);
  if (focused) focused.focus();
}

function drop(id) {
  const view = views.get(id);
  if (!view) return;
  view.item.remove();
  for (const item of [view.item, ...view.item.querySelectorAll(".k-comment")]) {
    views.delete(item.dataset.id);
  }
}

/**
 * A comment went: it stays as a placeholder while it has replies, else it
 * goes, and so do placeholders above it left without replies.
 */
export function removeComment(id, placeholder) {
  const view = views.get(id);
  if (!view) return;
  if (placeholder && view.replies.firstChild) {
    view.comment = { ...view.comment, deleted: true, author: null, body_html: "" };
    drawComment(view);
    return;
  }
  drop(id);
  const parent = views.get(view.comment.parent);
  if (parent?.comment.deleted && !parent.replies.firstChild) removeComment(parent.comment.id);
}

export function highlight(view) {
  if (!view) return;
  view.item.classList.add("k-new");
  view.item.onanimationend = () => view.item.classList.remove("k-new");
}

/** (Re)draw a comment's own part; its replies and an open reply form stay. */
export function drawComment(view) {
  const { comment, article } = view;
  // A live update redraws the comment: the keyboard's place in it must survive.
  const focused = article.contains(document.activeElement) && document.activeElement.classList;
  view.item.classList.toggle("k-pinned", !!comment.pinned);
  view.item.classList.toggle("k-gone", !!comment.deleted);
  // A reader mid-edit keeps their text: the comment is drawn anew when the editor closes.
  const gone = comment.deleted || comment.hidden || widget.thread.locked;
  if (view.editor?.isConnected && !gone) return;
  if (comment.deleted) return article.replaceChildren(el("p", "k-c-gone", translate("deleted")));
  if (comment.hidden && !comment.author) {
    // Hidden by a moderator (or by reports, pending review): the reason stands in for the text.
    const { auto, reason } = comment.hidden;
    const why = auto ? translate("hidden_review") : translate("hidden", { reason });
    return article.replaceChildren(el("p", "k-c-gone", why));
  }
  const head = el("header", "k-c-head");
  head.append(el("span", "k-c-name", comment.author.name));
  if (comment.article_author) head.append(el("span", "k-badge", translate("author_badge")));
  if (comment.pinned) head.append(el("span", "k-badge k-badge--pin", translate("pinned")));
  if (comment.approved === false) {
    head.append(el("span", "k-badge k-badge--wait", translate("pending")));
  }
  const parent = depth(comment) > 2 && views.get(comment.parent).comment;
  if (parent?.author) {
    head.append(el("span", "k-c-to", translate("reply_to", { name: parent.author.name })));
  }
  const link = el("a", "k-c-link", null, { href: "#comment-" + comment.id });
  link.append(timeElement(comment.created));
  head.append(link);
  if (comment.edited) {
    const title = formatMoment(new Date(comment.edited));
    head.append(el("span", "k-c-edited", translate("edited"), { title }));
  }
  const body = el("div", "k-c-body");
  body.innerHTML = comment.body_html; // sanitised by the service (nh3 allow-list)
  const actions = el("div", "k-c-actions");
  callHooks("commentActions", view, actions, head);
  article.replaceChildren(avatar(comment.author), head, body, actions);
  if (focused?.length) article.querySelector("." + [...focused].join("."))?.focus();
}
