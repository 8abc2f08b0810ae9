// The moderators' controls in the comment widget: hide, pin, approve or
// reject comments and lock the discussion, in place. comments.js loads this
// module only when /me says the person moderates; startModeration() returns
// its hooks, which the widget calls (state.js: `widget.hooks` names them).
// Text from people is set with textContent only.

import { apiBase, ERROR_STRINGS, request } from "./api.js";
import { button, el, newId, showError } from "./dom.js";
import { translate } from "./i18n.js";
import { reload } from "./live.js";
import { parts, threadPath, views, widget } from "./state.js";
import { removeComment, setThreadState, upsert } from "./thread.js";

/** The readers' error strings and those of moderation's own errors. */
const MODERATION_ERRORS = {
  ...ERROR_STRINGS,
  comment_approved: "m_e_approved",
  no_reason: "m_e_reason",
};
/** The bar above the thread and its lock button, made by startModeration(). */
const tools = { bar: null, lock: null };

/** Start the moderators' controls; returns the hooks the widget calls. */
export function startModeration() {
  const css = new URL("../css/moderate.css", import.meta.url);
  document.head.append(el("link", null, null, { rel: "stylesheet", href: css }));
  tools.bar = el("div", "k-mod", null, { role: "group", "aria-label": translate("m_tools") });
  tools.lock = button("", "k-m-lock", switchLock);
  const panel = new URL("/admin/", new URL(apiBase, location.href)).href;
  const title = el("span", "k-m-title", translate("m_tools"), { "aria-hidden": "true" });
  tools.bar.append(
    title,
    tools.lock,
    el("a", "k-link k-m-panel", translate("m_panel"), { href: panel }),
  );
  return { commentActions: addControls, threadBar: drawBar, onEvent: amendEvent };
}

const showModerationError = (anchor, error) => showError(anchor, error, MODERATION_ERRORS);

/** Whenever the widget draws its form again: the bar is there, the lock follows the thread. */
function drawBar() {
  if (!tools.bar.isConnected) parts.box.prepend(tools.bar);
  tools.lock.textContent = translate(widget.thread.locked ? "m_unlock" : "m_lock");
}

/**
 * Events carry comments as readers see them: a hidden one comes without its
 * text and author, which moderators see, so the thread is read again; the
 * count of open reports is only in the moderators' answers, so it is kept.
 */
function amendEvent(name, data) {
  if (name !== "comment") return data;
  if (data.comment.hidden) {
    reload();
    return null;
  }
  const flags = views.get(data.comment.id)?.comment.flags;
  return { ...data, comment: { ...data.comment, flags } };
}

function switchLock() {
  if (widget.thread.locked) {
    return setLock(false).catch((error) => showModerationError(tools.bar, error));
  }
  const lockWith = (reason) => setLock(true, reason);
  const form = reasonForm(
    translate("m_lock_why"),
    translate("m_lock"),
    false,
    lockWith,
    tools.lock,
  );
  tools.bar.after(form);
  form.querySelector("input").focus();
}

async function setLock(on, reason) {
  const state = await request(threadPath + "/lock", on ? "PUT" : "DELETE", reason && { reason });
  setThreadState(state); // the same change as the live event, applied now
  tools.lock.focus();
}

/**
 * A small form asking for a reason, `required` or not; `go(reason)` does the
 * action. Errors stay in the form; Escape or Cancel closes it and the focus
 * goes `back`.
 */
function reasonForm(label, send, required, go, back) {
  document.querySelector(".k-m-ask")?.remove();
  const form = el("form", "k-panel k-form k-m-ask", null, { novalidate: "" });
  const id = newId("k-m");
  const attributes = { id, name: "reason", maxlength: "500", autocomplete: "off" };
  const input = el(
    "input",
    "k-input",
    null,
    required ? { ...attributes, required: "" } : attributes,
  );
  const row = el("div", "k-row");
  const close = () => {
    form.remove();
    back.focus();
  };
  row.append(
    input,
    el("button", "k-btn k-btn--primary", send),
    button(translate("cancel"), "", close),
  );
  form.append(el("label", "k-label", label, { for: id }), row);
  form.onkeydown = (event) => {
    if (event.key === "Escape") close();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (required && !reason) return showModerationError(row, { code: "no_reason" });
    try {
      await go(reason || undefined);
      form.remove();
    } catch (error) {
      showModerationError(row, error);
    }
  };
  return form;
}

/**
 * One comment action; the answer (the moderated comment) redraws it in place
 * and the focus goes to the control `then` (else the first one of the row).
 */
async function act(view, then, method, path, body) {
  const comment = await request("/comments/" + view.comment.id + path, method, body);
  if (comment.rejected) {
    removeComment(comment.id);
    return parts.total.focus();
  }
  upsert(comment);
  (control(view, then) || view.article.querySelector(".k-c-actions button"))?.focus();
}

/** An action straight from its button: errors show under the comment. */
const actNow = (view, ...how) =>
  act(view, ...how).catch((error) => showModerationError(view.article.lastChild, error));

const control = (view, name) => view.article.querySelector(`[data-m=${name}]`);

/** Open a reason form under a comment. */
function askFor(view, back, label, send, required, go) {
  const form = reasonForm(label, send, required, go, back);
  view.item.insertBefore(form, view.replies);
  form.querySelector("input").focus();
}

/** A comment's controls, added to its actions row (and badges to its header) as it is drawn. */
function addControls(view, row, head) {
  const { comment } = view;
  // A redraw (live event, new answer) replaces the buttons: keep the focus on the same one.
  const had = document.activeElement?.dataset?.m;
  if (had && view.article.contains(document.activeElement)) {
    queueMicrotask(() => control(view, had)?.focus());
  }
  row.querySelector(".k-rep")?.remove(); // a moderator acts instead of reporting
  view.item.classList.toggle("k-m-hidden", !!comment.hidden);
  if (comment.hidden) {
    const reason = comment.hidden.auto ? translate("m_auto") : comment.hidden.reason;
    head.append(el("span", "k-badge k-m-badge", translate("hidden_badge", { reason })));
  }
  if (comment.flags) {
    head.append(el("span", "k-badge k-m-badge", translate("m_flags", { count: comment.flags })));
  }
  const add = (name, label, onClick, attributes) => {
    const added = button(label, "k-link k-m", onClick, { "data-m": name, ...attributes });
    row.append(added);
    return added;
  };
  if (comment.approved === false) {
    add("approve", translate("m_approve"), () => actNow(view, "hide", "PUT", "/approved"));
    const reject = add("reject", translate("m_reject"), () =>
      askFor(view, reject, translate("m_reject_why"), translate("m_reject"), false, (reason) =>
        act(view, "reject", "DELETE", "/approved", reason && { reason }),
      ),
    );
    return;
  }
  if (!comment.hidden || comment.hidden.auto) {
    // Hiding for good also settles what the reports hid for a while.
    const hide = add("hide", translate("m_hide"), () =>
      askFor(view, hide, translate("m_hide_why"), translate("m_hide"), true, (reason) =>
        act(view, "unhide", "PUT", "/hidden", { reason }),
      ),
    );
  }
  if (comment.hidden) {
    add("unhide", translate("m_unhide"), () => actNow(view, "hide", "DELETE", "/hidden"));
  } else if (comment.flags) {
    add("dismiss", translate("m_dismiss"), () => actNow(view, "hide", "PUT", "/flags/dismissed"));
  }
  if (!comment.parent) {
    const on = !comment.pinned;
    add("pin", translate("m_pin"), () => actNow(view, "pin", on ? "PUT" : "DELETE", "/pinned"), {
      "aria-pressed": !on,
    });
  }
}
