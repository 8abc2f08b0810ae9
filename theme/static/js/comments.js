// Kurier's comment widget: reactions, must-read acknowledgements, threaded
// comments with live updates on article pages, comment counts on listings.
// A plain ES module: nothing to build. Text from people is set with
// textContent; the service's sanitised body_html is the one innerHTML.

const doc = document;
const lang = doc.documentElement.lang || "pl";
const S = JSON.parse(doc.getElementById("k-strings")?.textContent || "{}");
const root = doc.getElementById("comments");
const meta = doc.querySelector("meta[name=kurier-api]");
const apiBase = (root?.dataset.api || meta?.content || "/api/v1").replace(/\/$/, "");
const MAX = 5000;
// The site writes English dates the British way: 3 November 2026, 09:00.
const locale = lang === "en" ? "en-GB" : lang;
const plural = new Intl.PluralRules(locale);
const rel = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" });
const day = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const longDay = new Intl.DateTimeFormat(locale, { dateStyle: "long" });
const hm = new Intl.DateTimeFormat(locale, { timeStyle: "short" });
const ERRORS = {
  thread_locked: "closed", not_signed_in: "e_signin", empty: "e_empty", too_long: "e_long",
  body_too_large: "e_long", parent_deleted: "e_gone", comment_deleted: "e_gone",
  comment_not_found: "e_gone", forbidden: "e_forbidden", origin_not_allowed: "e_origin",
  muted: "e_forbidden", comment_hidden: "e_hidden", already_reported: "e_reported",
  not_must_read: "e_ack", pick: "e_pick",
};

/** A UI string with its {placeholders} filled; plural entries pick a form by {count}. */
function t(key, vars = {}) {
  let text = S[key] ?? key;
  if (typeof text === "object") text = text[plural.select(vars.count)] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (all, name) => vars[name] ?? all);
}

function el(tag, cls, text, attrs) {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  for (const name in attrs) node.setAttribute(name, attrs[name]);
  return node;
}

function button(text, cls, onclick, attrs) {
  const b = el("button", "k-btn " + (cls || ""), text, { type: "button", ...attrs });
  b.onclick = onclick;
  return b;
}

/** An icon from the page (_comments.html) in the text's colour, or "" if it has none. */
function icon(name) {
  if (!doc.getElementById("k-i-" + name)) return "";
  const svg = "http://www.w3.org/2000/svg";
  const node = doc.createElementNS(svg, "svg");
  node.append(doc.createElementNS(svg, "use"));
  node.firstChild.setAttribute("href", "#k-i-" + name);
  node.setAttribute("class", "k-ico");
  node.setAttribute("aria-hidden", "true");
  return node;
}

/** A toggle: icon, label and count, with aria-pressed. */
function toggle(cls, label, name, onclick) {
  const b = button(null, cls, onclick, { "aria-pressed": "false" });
  b.append(icon(name), el("span", null, label), el("span", "k-n"));
  return b;
}

function setToggle(b, pressed, count) {
  b.setAttribute("aria-pressed", pressed);
  b.lastChild.textContent = count || "";
}

/** One API call; failures throw {status, code, field, retry, until}. */
async function api(path, method = "GET", body) {
  let res, data;
  const headers = { Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  try {
    res = await fetch(apiBase + path, {
      method,
      credentials: "same-origin",
      headers,
      body: body && JSON.stringify(body),
    });
    data = res.status === 204 ? {} : await res.json();
  } catch {
    data = null;
  }
  if (res?.ok && data) return data;
  const error = data?.error || {};
  const retry = +res?.headers.get("Retry-After") || 0;
  const { code = "down", field, until } = error;
  throw { status: res?.status || 0, code, field, retry, until };
}

/** What went wrong, in plain words. */
function message(e) {
  if (e.code === "rate_limited") {
    const s = e.retry || 60;
    const wait = s > 90 ? rel.format(Math.ceil(s / 60), "minute") : rel.format(s, "second");
    return t("e_rate", { wait });
  }
  if (e.code === "muted" && e.until) {
    const d = new Date(e.until);
    return t("e_muted", { date: longDay.format(d), time: hm.format(d) });
  }
  if (e.field === "name") return t("e_name");
  return t(ERRORS[e.code] || (e.field === "body" ? "e_body" : "e_down"));
}

/** Show an error right after `anchor`, or clear it (e = null). */
function say(anchor, e) {
  let p = anchor.nextElementSibling;
  if (!p?.matches(".k-error")) {
    if (!e) return;
    anchor.after((p = el("p", "k-error", null, { role: "alert" })));
  }
  if (e) p.textContent = message(e);
  else p.remove();
}

function ago(date) {
  const s = (date - Date.now()) / 1000;
  const a = Math.abs(s);
  if (a < 45) return t("now");
  if (a < 2700) return rel.format(Math.round(s / 60), "minute");
  if (a < 79200) return rel.format(Math.round(s / 3600), "hour");
  if (a < 604800) return rel.format(Math.round(s / 86400), "day");
  return day.format(date);
}

function time(iso) {
  const date = new Date(iso);
  return el("time", "k-time", ago(date), { datetime: iso, title: exact.format(date) });
}

// ---- Listing pages (and related stories): one request per 100 threads ----

function counts() {
  const spans = [...doc.querySelectorAll("[data-comment-count]")];
  const slugs = [...new Set(spans.map((s) => s.dataset.commentCount))];
  for (let i = 0; i < slugs.length; i += 100) {
    const query = slugs.slice(i, i + 100).map((s) => "slug=" + encodeURIComponent(s)).join("&");
    api("/counts?" + query).then((found) => {
      for (const span of spans) {
        const n = found[span.dataset.commentCount]?.comments;
        if (n) {
          span.textContent = t("count", { count: n });
          span.hidden = false;
        }
      }
    }, () => {});
  }
}

// ---- Article pages --------------------------------------------------------

const slug = root?.dataset.thread;
const tpath = "/threads/" + encodeURIComponent(slug);
const nodes = new Map(); // comment id -> {c, li, art, list}
let me = null;
let auth = "open";
let thread;
let newest = false;
let uid = 0;
let streaming; // the event stream, opened once
let loading = 0; // thread reads under way; events wait in `queue` meanwhile
let queue = [];
let mod; // the moderators' controls (moderate.js), loaded for moderators only
let box, ackBox, ackCount, reactions, total, note, sorter, list, empty, main, live;

const needName = () => !me && auth === "open";
const signed = () => me || auth === "open";
const canWrite = () => !thread.locked && signed();

function announce(text) {
  live.textContent = "";
  setTimeout(() => (live.textContent = text), 50);
}

async function start() {
  root.querySelector(".k-comments-fallback")?.remove();
  live ??= root.appendChild(el("p", "k-visually-hidden", null, { "aria-live": "polite" }));
  box ??= root.insertBefore(el("div", "k-widget"), live);
  box.replaceChildren(el("p", "k-status", t("loading")));
  // Listen first, then read the thread: nothing happening in between is lost.
  streaming ??= stream();
  loading++;
  try {
    const [who] = await Promise.all([api("/me"), streaming]);
    const data = await api(tpath);
    me = who.user;
    auth = who.auth;
    build(data);
    if (me?.moderator && !mod) {
      const k = { t, el, button, api, say, upsert, gone, reload, events, ERRORS, tpath, nodes };
      import("./moderate.js").then((m) => {
        mod = m.default({ ...k, box, base: apiBase, th: () => thread });
        relock();
      }, () => {});
    }
  } catch {
    box.replaceChildren(el("p", "k-status k-down", t("down")), button(t("retry"), "", start));
  }
  loaded();
}

function build(data) {
  thread = data.thread;
  ackBox = el("div", "k-ack");
  reactions = el("div", "k-reactions", null, { role: "group", "aria-label": t("reactions") });
  total = el("p", "k-total", null, { tabindex: "-1" });
  sorter = toggle("k-sort", t("newest"), "sort", () => {
    newest = !newest;
    sorter.setAttribute("aria-pressed", newest);
    for (const li of [...list.children].sort((a, b) => order(get(a), get(b)))) list.append(li);
    list[newest ? "before" : "after"](main);
  });
  list = el("ol", "k-list");
  empty = el("p", "k-empty", t("none"));
  main = el("div", "k-compose");
  const bar = el("div", "k-bar");
  bar.append(total, sorter, (note = el("p", "k-wait")));
  box.replaceChildren(ackBox, reactions, bar, list, empty, main);
  sync(data);
}

/** Bring the page in line with a full thread from the API. */
function sync(data) {
  const locked = thread.locked;
  thread = data.thread;
  drawAck();
  drawReactions();
  const seen = new Set();
  const walk = (comments) => comments.forEach((c) => (seen.add(c.id), upsert(c), walk(c.replies)));
  walk(data.comments);
  for (const id of nodes.keys()) if (!seen.has(id)) drop(id);
  if (!main.firstChild || locked !== thread.locked) drawForm();
  if (locked !== thread.locked) nodes.forEach(fill);
  setCount(thread.comment_count);
}

/** Fetch the thread again; events meanwhile wait and apply on top of it. */
function reload() {
  loading++;
  api(tpath).then(sync, () => {}).finally(loaded);
}

function loaded() {
  if (--loading) return;
  const waiting = queue;
  queue = [];
  for (const [name, data] of waiting) handle(name, data);
}

function handle(name, data) {
  if (loading || !thread) return queue.push([name, data]);
  try {
    events[name](data);
  } catch {
    // an event this page cannot apply changes nothing
  }
}

/** n public comments; the reader's own that wait for a moderator count for them, noted. */
function setCount(n) {
  let mine = 0;
  nodes.forEach(({ c }) => (mine += c.approved === false && !c.deleted && !!c.mine));
  thread.comment_count = n;
  total.textContent = t("count", { count: n + mine });
  note.textContent = t("waiting", { count: mine });
  note.hidden = !mine;
  empty.hidden = list.childElementCount > 0 || thread.locked;
  sorter.hidden = list.childElementCount < 2;
}

function drawAck() {
  ackBox.hidden = !thread.must_read;
  if (!thread.must_read) return;
  const { acknowledged: done, acknowledged_at: at } = thread;
  const date = at && exact.format(new Date(at));
  const key = done ? "ack_done" : at ? "ack_again" : "ack_ask"; // at: confirmed before an update
  const text = el("p", "k-ack-text", t(key, { date }), { tabindex: "-1" });
  ackCount = el("p", "k-ack-count");
  if (done) text.prepend(icon("check"));
  ackBox.replaceChildren(text);
  if (!done) ackBox.append(button(t("ack_button"), "k-btn--primary", acknowledge));
  ackBox.append(ackCount);
  drawAckCount();
}

function drawAckCount() {
  const count = thread.ack_count;
  if (ackCount) ackCount.textContent = count ? t("ack_count", { count }) : "";
}

async function acknowledge() {
  if (needName()) return askName(ackBox, acknowledge);
  try {
    Object.assign(thread, await api(tpath + "/acknowledgement", "PUT"));
    drawAck();
    ackBox.firstChild.focus();
    announce(t("a_ack"));
  } catch (e) {
    say(ackCount, e);
  }
}

function drawReactions() {
  const kinds = Object.keys(thread.reactions);
  if (reactions.childElementCount !== kinds.length) {
    reactions.replaceChildren(
      ...kinds.map((kind) => {
        const b = toggle("k-react", S["r_" + kind] || kind, kind, () => react(kind, b));
        b.dataset.kind = kind;
        return b;
      }),
    );
  }
  for (const b of reactions.children) {
    setToggle(b, thread.mine.includes(b.dataset.kind), thread.reactions[b.dataset.kind]);
    b.disabled = thread.locked; // closed or locked: read-only, reactions too
  }
}

async function react(kind, b) {
  if (needName()) return askName(reactions, () => react(kind, b).then(() => b.focus()));
  try {
    const on = !thread.mine.includes(kind);
    Object.assign(thread, await api(tpath + "/reactions/" + kind, on ? "PUT" : "DELETE"));
    drawReactions();
    say(reactions, null);
  } catch (e) {
    if (e.code === "thread_locked") return lock();
    say(reactions, e);
  }
}

/** Open mode, signed out: ask for a display name, then carry on with `then`. */
function askName(anchor, then) {
  root.querySelector(".k-ask")?.remove();
  const form = el("form", "k-ask k-form", null, { novalidate: "" });
  const id = "k-f" + ++uid;
  const input = nameInput(id);
  const row = el("div", "k-row");
  const cancel = button(t("cancel"), "", () => form.remove());
  row.append(input, el("button", "k-btn k-btn--primary", t("next")), cancel);
  form.append(el("label", "k-label", t("ask_name"), { for: id }), row);
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await signIn(input.value);
      form.remove();
      then();
    } catch (e) {
      say(row, e);
    }
  };
  anchor.after(form);
  input.focus();
}

function nameInput(id) {
  const attrs = { id, name: "name", autocomplete: "name", maxlength: "60", required: "" };
  return el("input", "k-input", null, attrs);
}

async function signIn(name) {
  me = (await api("/me", "POST", { name: name.trim() })).user;
  for (const field of root.querySelectorAll(".k-namefield")) field.replaceWith(postingAs());
}

const postingAs = () => el("p", "k-as", t("as", { name: me.name }));

function drawForm() {
  let form;
  if (thread.locked) {
    // The page itself may already say so (Comments: closed); a moderator's reason it cannot.
    const why = thread.lock_reason;
    const said = !why && root.querySelector(".k-comments-closed");
    const text = why ? t("closed_why", { reason: why }) : t("closed");
    form = said ? el("div") : el("p", "k-note", text, { tabindex: "-1" });
  } else if (!me && auth !== "open") {
    form = el("p", "k-note", t("e_signin"));
  } else {
    form = composer({ label: t("body_label"), send: t("send") });
  }
  main.replaceChildren(form);
  mod?.bar();
}

/** The thread was locked or unlocked: the form and every comment's actions follow. */
function relock() {
  drawForm();
  drawReactions();
  setCount(thread.comment_count);
  nodes.forEach(fill);
}

function lock() {
  thread.locked = true;
  relock();
  main.firstChild.focus?.();
}

/** The comment form: new comment (no options), reply ({parent}) or edit ({edit}). */
function composer({ parent, edit, label, send, close }) {
  const form = el("form", "k-form", null, { novalidate: "" });
  const id = "k-f" + ++uid;
  if (!edit && needName()) {
    const field = el("div", "k-namefield");
    field.append(
      el("label", "k-label", t("name_label"), { for: id + "n" }),
      nameInput(id + "n"),
    );
    form.append(field);
  } else if (me && !edit && !parent) {
    form.append(postingAs());
  }
  const text = el("textarea", "k-input k-text", null, {
    id,
    name: "body",
    rows: parent || edit ? 3 : 4,
    required: "",
    "aria-describedby": id + "h " + id + "c",
  });
  text.value = edit?.body ?? "";
  const counter = el("span", "k-counter", null, { id: id + "c" });
  const count = () => {
    const n = [...text.value].length;
    counter.textContent = `${n} / ${MAX}`;
    counter.classList.toggle("k-over", n > MAX);
  };
  text.oninput = count;
  count();
  const row = el("div", "k-row");
  const submit = el("button", "k-btn k-btn--primary", send);
  row.append(counter);
  if (close) row.append(button(t("cancel"), "", close));
  row.append(submit);
  const hint = el("p", "k-hint", t("hint"), { id: id + "h" });
  form.append(el("label", "k-label", label, { for: id }), text, hint, row);
  form.onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key === "Escape" && close) close();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (form.busy) return;
    const body = text.value;
    const n = [...body.trim()].length;
    if (!n || n > MAX) return say(row, { code: n ? "too_long" : "empty" });
    form.busy = true;
    try {
      const name = form.querySelector("[name=name]");
      if (name) await signIn(name.value);
      if (edit) {
        upsert(await api("/comments/" + edit.id, "PATCH", { body }));
        announce(t("a_saved"));
        return close();
      }
      const c = await api(tpath + "/comments", "POST", parent ? { body, parent } : { body });
      const waits = c.approved === false; // pre-moderated: public once approved
      if (upsert(c)) setCount(thread.comment_count + !waits);
      text.value = "";
      count();
      say(row, null);
      announce(t(waits ? "a_waiting" : "a_posted"));
      highlight(nodes.get(c.id));
      close?.();
    } catch (e) {
      if (e.code === "thread_locked") return lock();
      say(row, e);
    } finally {
      form.busy = false;
    }
  };
  return form;
}

// ---- Comments -----------------------------------------------------------------

const get = (li) => nodes.get(li.dataset.id).c;

/** Top level: pinned first, then oldest (or newest) first; replies oldest first. */
function order(a, b) {
  const top = !a.parent;
  const byTime = Date.parse(a.created) - Date.parse(b.created) || a.id - b.id;
  return (top && b.pinned - a.pinned) || (top && newest ? -byTime : byTime);
}

function depth(c) {
  let d = 0;
  while ((c = c.parent && nodes.get(c.parent)?.c)) d++;
  return d;
}

/**
 * Add or update one comment; true if it is new here. Events carry comments as
 * anonymous readers see them, so what only the API tells us (mine, my likes,
 * the Markdown source) is kept from what we had.
 */
function upsert(c, anonymous) {
  const n = nodes.get(c.id);
  if (anonymous) {
    const old = n?.c;
    c = {
      ...c,
      mine: !!old?.mine || (!!me && c.author?.id === me.id),
      my_reactions: old?.my_reactions || [],
      body: old?.body_html === c.body_html ? old.body : undefined,
    };
  }
  if (n) {
    const moved = !n.c.pinned !== !c.pinned;
    n.c = c;
    fill(n);
    if (moved) place(n.li, c);
    return false;
  }
  const li = el("li", "k-comment", null, { id: "comment-" + c.id, "data-id": c.id });
  const node = { c, li, art: el("article", "k-c"), list: el("ol", "k-replies") };
  li.append(node.art, node.list);
  nodes.set(c.id, node);
  fill(node);
  place(li, c);
  return true;
}

/** Put a comment where `order` says (again, when it was pinned or unpinned). */
function place(li, c) {
  li.remove();
  const into = nodes.get(c.parent)?.list || list;
  // Threads arrive in order and new comments are usually the newest: try the end first.
  const last = into.lastElementChild;
  const after = (x) => order(c, get(x)) < 0;
  into.insertBefore(li, last && after(last) ? [...into.children].find(after) : null);
}

function drop(id) {
  const n = nodes.get(id);
  if (!n) return;
  n.li.remove();
  for (const li of [n.li, ...n.li.querySelectorAll(".k-comment")]) nodes.delete(li.dataset.id);
}

/**
 * A comment went: it stays as a placeholder while it has replies, else it
 * goes, and so do placeholders above it left without replies.
 */
function gone(id, placeholder) {
  const n = nodes.get(id);
  if (!n) return;
  if (placeholder && n.list.firstChild) {
    n.c = { ...n.c, deleted: true, author: null, body_html: "" };
    fill(n);
    return;
  }
  drop(id);
  const up = nodes.get(n.c.parent);
  if (up?.c.deleted && !up.list.firstChild) gone(up.c.id);
}

function highlight(n) {
  if (!n) return;
  n.li.classList.add("k-new");
  n.li.onanimationend = () => n.li.classList.remove("k-new");
}

function initials(name) {
  return name.split(/\s+/).slice(0, 2).map((w) => [...w][0] || "").join("").toUpperCase();
}

function hue(id) {
  let h = 7;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 997;
  return h % 6;
}

/** (Re)draw a comment's own part; its replies and an open reply form stay. */
function fill(n) {
  const c = n.c;
  const art = n.art;
  // A live update redraws the comment: the keyboard's place in it must survive.
  const focused = art.contains(document.activeElement) && document.activeElement.classList;
  n.li.classList.toggle("k-pinned", !!c.pinned);
  n.li.classList.toggle("k-gone", !!c.deleted);
  if (c.deleted) return art.replaceChildren(el("p", "k-c-gone", t("deleted")));
  if (c.hidden && !c.author) {
    // Hidden by a moderator (or by reports, pending review): the reason stands in for the text.
    const why = c.hidden.auto ? t("hidden_review") : t("hidden", { reason: c.hidden.reason });
    return art.replaceChildren(el("p", "k-c-gone", why));
  }
  const head = el("header", "k-c-head");
  head.append(el("span", "k-c-name", c.author.name));
  if (c.article_author) head.append(el("span", "k-badge", t("author_badge")));
  if (c.pinned) head.append(el("span", "k-badge k-badge--pin", t("pinned")));
  if (c.approved === false) head.append(el("span", "k-badge k-badge--wait", t("pending")));
  const parent = depth(c) > 2 && nodes.get(c.parent).c;
  if (parent?.author) head.append(el("span", "k-c-to", t("reply_to", { name: parent.author.name })));
  const link = el("a", "k-c-link", null, { href: "#comment-" + c.id });
  link.append(time(c.created));
  head.append(link);
  if (c.edited) {
    head.append(el("span", "k-c-edited", t("edited"), { title: exact.format(new Date(c.edited)) }));
  }
  const body = el("div", "k-c-body");
  body.innerHTML = c.body_html; // sanitised by the service (nh3 allow-list)
  const avatar = el("span", "k-avatar k-hue" + hue(c.author.id), initials(c.author.name), {
    "aria-hidden": "true",
  });
  art.replaceChildren(avatar, head, body, actions(n, head));
  if (focused?.length) art.querySelector("." + [...focused].join("."))?.focus();
}

function actions(n, head) {
  const c = n.c;
  const row = el("div", "k-c-actions");
  const likes = c.reactions?.like || 0;
  // Only moderators see hidden and others' waiting comments: not to be answered or liked.
  const open = !c.hidden && c.approved !== false;
  if (c.mine || !open || !canWrite()) {
    row.append(el("span", "k-c-likes", likes ? t("likes", { count: likes }) : ""));
  } else {
    const b = toggle("k-like", t("like"), "love", () => like(n, b));
    setToggle(b, c.my_reactions?.includes("like"), likes);
    row.append(b);
  }
  if (open && canWrite()) {
    row.append(button(t("reply"), "k-link k-reply", (e) => reply(n, e.currentTarget)));
  }
  if (c.mine && !thread.locked) row.append(button(t("edit"), "k-link k-edit", () => editing(n)));
  if ((c.mine && !thread.locked) || me?.moderator) {
    row.append(button(t("delete"), "k-link", (e) => confirmDelete(n, e.currentTarget)));
  }
  if (n.done) row.append(el("span", "k-done", t(n.done), { tabindex: "-1" }));
  else if (open && !c.mine && signed()) {
    row.append(button(t("report"), "k-link k-rep", () => report(n)));
  }
  mod?.c(n, row, head);
  return row;
}

function setLikes(n, likes) {
  n.c.reactions = { like: likes };
  const out = n.art.querySelector(".k-like .k-n, .k-c-likes");
  if (out?.matches(".k-n")) out.textContent = likes || "";
  else if (out) out.textContent = likes ? t("likes", { count: likes }) : "";
}

async function like(n, b) {
  const row = b.parentNode;
  if (needName()) return askName(row, () => like(n, b).then(() => b.focus()));
  try {
    const on = !n.c.my_reactions?.includes("like");
    const r = await api("/comments/" + n.c.id + "/reactions/like", on ? "PUT" : "DELETE");
    n.c.my_reactions = r.mine;
    setLikes(n, r.reactions.like);
    b.setAttribute("aria-pressed", on);
    say(row, null);
  } catch (e) {
    if (e.code === "thread_locked") return lock();
    say(row, e);
  }
}

function reply(n, b) {
  if (n.form?.isConnected) return n.form.querySelector("textarea").focus();
  const close = () => {
    n.form.remove();
    b.focus();
  };
  const label = t("reply_label", { name: n.c.author.name });
  n.form = composer({ parent: n.c.id, label, send: t("send_reply"), close });
  n.li.insertBefore(n.form, n.list);
  n.form.querySelector("input, textarea").focus();
}

async function editing(n) {
  if (n.c.body == null) {
    // Edited in another tab: the event had no Markdown source; the API has it.
    try {
      const find = (cs) => cs.reduce((hit, c) => hit || (c.id === n.c.id ? c : find(c.replies)), null);
      n.c.body = find((await api(tpath)).comments)?.body ?? "";
    } catch (e) {
      return say(n.art.lastChild, e);
    }
  }
  const close = () => {
    fill(n);
    n.art.querySelector(".k-edit")?.focus();
  };
  const form = composer({ edit: n.c, label: t("edit_label"), send: t("save"), close });
  n.art.lastChild.remove();
  n.art.querySelector(".k-c-body").replaceWith(form);
  form.querySelector("textarea").focus();
}

/** Report a comment to the moderators: a reason picked from a few, details optional. */
function report(n) {
  if (needName()) return askName(n.art.lastChild, () => report(n));
  if (n.rep?.isConnected) return n.rep.querySelector("input").focus();
  const form = (n.rep = el("form", "k-panel k-form", null, { novalidate: "" }));
  const set = el("fieldset", "k-why");
  set.append(el("legend", "k-label", t("report_why")));
  for (const key of ["report_spam", "report_rude", "report_false", "report_other"]) {
    const label = el("label");
    label.append(el("input", null, null, { type: "radio", name: "why", value: t(key) }), t(key));
    set.append(label);
  }
  const id = "k-f" + ++uid;
  const more = el("textarea", "k-input", null, { id, rows: 2, maxlength: 400 });
  const row = el("div", "k-row");
  const close = () => {
    form.remove();
    n.art.querySelector(".k-rep")?.focus();
  };
  const send = el("button", "k-btn k-btn--primary", t("report_send"));
  row.append(button(t("cancel"), "", close), send);
  form.append(set, el("label", "k-label", t("report_more"), { for: id }), more, row);
  form.onkeydown = (event) => {
    if (event.key === "Escape") close();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const pick = form.querySelector(":checked");
    const text = more.value.trim();
    if (!pick) return say(row, { code: "pick" });
    try {
      await api("/comments/" + n.c.id + "/flags", "POST", {
        reason: pick.value + (text ? ": " + text : ""),
      });
      n.done = "reported";
    } catch (e) {
      if (e.code !== "already_reported") return say(row, e);
      n.done = "e_reported";
    }
    form.remove();
    fill(n);
    n.art.querySelector(".k-done").focus();
  };
  n.li.insertBefore(form, n.list);
  form.querySelector("input").focus();
}

function confirmDelete(n, b) {
  const row = b.parentNode;
  const ask = el("div", "k-confirm", null, { role: "group", "aria-label": t("confirm_delete") });
  const no = button(t("cancel"), "", () => {
    ask.replaceWith(row);
    b.focus();
  });
  const yes = button(t("confirm_yes"), "k-btn--danger", async () => {
    try {
      await api("/comments/" + n.c.id, "DELETE");
      // The live event may have been first: count a deletion once; a waiting one never counted.
      const counted = nodes.get(n.c.id) === n && !n.c.deleted && n.c.approved !== false;
      gone(n.c.id, true);
      setCount(Math.max(0, thread.comment_count - counted));
      announce(t("a_deleted"));
      total.focus();
    } catch (e) {
      if (e.code === "thread_locked") return lock();
      say(ask, e);
    }
  });
  ask.append(el("span", null, t("confirm_delete")), yes, no);
  row.replaceWith(ask);
  no.focus();
}

// ---- Live updates -----------------------------------------------------------

const events = {
  comment({ comment, comment_count }) {
    const fresh = upsert(comment, true);
    setCount(comment_count);
    if (fresh && comment.author?.id !== me?.id) {
      highlight(nodes.get(comment.id));
      announce(t("a_new", { name: comment.author?.name }));
    }
  },
  comment_deleted({ id, placeholder, comment_count }) {
    gone(id, placeholder);
    setCount(comment_count);
  },
  like({ id, likes }) {
    const n = nodes.get(id);
    if (n) setLikes(n, likes);
  },
  reactions({ reactions: counts }) {
    thread.reactions = counts;
    drawReactions();
  },
  thread(state) {
    Object.assign(thread, state);
    relock();
  },
  acknowledgements({ ack_count }) {
    thread.ack_count = ack_count;
    drawAckCount();
  },
  reset: reload,
};

/**
 * Server-Sent Events; resolves once the stream first opens (or fails). The
 * browser reconnects by itself and sends Last-Event-ID, so missed events
 * are replayed. When that keeps failing we back off (up to a minute) and
 * reconnect ourselves; a new EventSource has no Last-Event-ID, and neither
 * has one that saw no event yet, so then the thread is fetched again.
 */
function stream() {
  let source;
  let fails = 0;
  let resumable = false;
  return new Promise((ready) => {
    const connect = (fresh) => {
      source = new EventSource(apiBase + tpath + "/events");
      source.onopen = () => {
        fails = 0;
        if (thread && (fresh || !resumable)) reload();
        fresh = false;
        ready();
      };
      source.onerror = () => {
        ready();
        if (++fails > 2 || source.readyState === EventSource.CLOSED) {
          source.close();
          resumable = false;
          setTimeout(connect, Math.min(60000, 500 * 2 ** fails) * (0.5 + Math.random() / 2), true);
        }
      };
      for (const name in events) {
        source.addEventListener(name, (e) => {
          resumable ||= !!e.lastEventId;
          try {
            handle(name, JSON.parse(e.data));
          } catch {
            // not JSON: nothing to apply
          }
        });
      }
    };
    connect(false);
    setTimeout(ready, 3000);
    addEventListener("pagehide", () => source.close());
    addEventListener("pageshow", (e) => e.persisted && connect(true));
  });
}

if (slug) {
  start();
  setInterval(() => {
    for (const node of root.querySelectorAll("time.k-time")) {
      node.textContent = ago(new Date(node.dateTime));
    }
  }, 60000);
}
counts();
