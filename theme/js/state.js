// The page's state, one small object per concern, shared by the widget's modules.

/** The article's comments section (none on listing pages). */
export const mount = document.getElementById("comments");

/** The thread's address in the API. */
export const threadPath = "/threads/" + encodeURIComponent(mount?.dataset.thread);

/** Who reads, as the service's /me says: in "open" mode anyone may post under a name. */
export const reader = { me: null, auth: "open", signOut: null };

/**
 * The thread as last read, the order the reader chose, and the hooks in force:
 * one set for each part that adds to the thread, the reader's actions on
 * comments (actions.js) and, for moderators, their controls (moderate.js).
 * A set of hooks has any of:
 * - commentActions(view, row, head): a comment is being drawn; add to its actions and header
 * - threadBar(): the form under the thread was drawn again (the thread may be locked now)
 * - onEvent(name, data): a live event is about to apply; returns what to apply, or null
 */
export const widget = { thread: null, newestFirst: false, hooks: [] };

/** Call the hook `name` of each set that has it. */
export function callHooks(name, ...args) {
  for (const hooks of widget.hooks) hooks[name]?.(...args);
}

/**
 * The widget's elements once drawn: box, live (the polite region), ack, ackCount,
 * reactions, total, waiting, sorter, list, empty, compose.
 */
export const parts = {};

/** comment id -> its view: {comment, item, article, replies, replyForm, reportForm, notice}. */
export const views = new Map();

/** Open mode, signed out: a name is asked for before anything is sent. */
export const needsName = () => !reader.me && reader.auth === "open";

/** Signed in, or in open mode (where a name is asked for first). */
export const canAct = () => reader.me || reader.auth === "open";

export const canWrite = () => !widget.thread.locked && canAct();
