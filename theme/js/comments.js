// Kurier's comment widget: reactions, must-read acknowledgements, threaded
// comments with live updates on article pages, comment counts on listings.
// The site build bundles this module with those it imports into one file
// (plugins/kurier/widget.py); moderate.js loads for moderators only.

import { readerActions } from "./actions.js";
import { request } from "./api.js";
import { button, el } from "./dom.js";
import { formatAgo, translate } from "./i18n.js";
import { listen, whileReading } from "./live.js";
import { mount, parts, reader, threadPath, widget } from "./state.js";
import { drawThread, relock } from "./thread.js";

/** Listing pages (and related stories): comment counts, one request per 100 threads. */
function fillCounts() {
  const spans = [...document.querySelectorAll("[data-comment-count]")];
  const slugs = [...new Set(spans.map((span) => span.dataset.commentCount))];
  const show = (found) => {
    for (const span of spans) {
      const count = found[span.dataset.commentCount]?.comments;
      if (count) {
        span.textContent = translate("count", { count });
        span.hidden = false;
      }
    }
  };
  for (let first = 0; first < slugs.length; first += 100) {
    const batch = slugs.slice(first, first + 100).map((slug) => "slug=" + encodeURIComponent(slug));
    request("/counts?" + batch.join("&")).then(show, () => {});
  }
}

/** An article page: who reads, then the thread, then, for moderators, their controls. */
async function start() {
  mount.querySelector(".k-comments-fallback")?.remove();
  parts.live ??= mount.appendChild(el("p", "k-visually-hidden", null, { "aria-live": "polite" }));
  parts.box ??= mount.insertBefore(el("div", "k-widget"), parts.live);
  parts.box.replaceChildren(el("p", "k-status", translate("loading")));
  // Listen first, then read the thread: nothing happening in between is lost.
  const listening = listen();
  await whileReading(async () => {
    try {
      const [who] = await Promise.all([request("/me"), listening]);
      const data = await request(threadPath);
      reader.me = who.user;
      reader.auth = who.auth;
      reader.signOut = who.sign_out ?? null;
      drawThread(data);
      if (reader.me?.moderator) loadModeration();
    } catch {
      const retry = button(translate("retry"), "", start);
      parts.box.replaceChildren(el("p", "k-status k-down", translate("down")), retry);
    }
  });
}

/**
 * The moderators' controls (moderate.js); if they cannot load, the moderator is told so.
 * The page gives their address, with the file's fingerprint: this file cannot hold it,
 * as moderate.js imports this file by its own fingerprinted address.
 */
function loadModeration() {
  import(new URL(mount.dataset.moderateSrc, document.baseURI).href)
    .then((moderation) => {
      widget.hooks = [...widget.hooks, moderation.startModeration()];
      relock();
    })
    .catch(() => {
      parts.box.prepend(el("p", "k-error", translate("m_e_load"), { role: "alert" }));
    });
}

if (mount?.dataset.thread) {
  widget.hooks = [readerActions];
  start();
  setInterval(() => {
    for (const node of mount.querySelectorAll("time.k-time")) {
      node.textContent = formatAgo(new Date(node.dateTime));
    }
  }, 60000);
}
fillCounts();
