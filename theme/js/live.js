// Live updates: the thread's Server-Sent Events, applied as they come, and
// the thread read again whenever events may have been missed.

import { drawAckCount } from "./ack.js";
import { setLikes } from "./actions.js";
import { apiBase, request } from "./api.js";
import { announce } from "./dom.js";
import { translate } from "./i18n.js";
import { reader, threadPath, views, widget } from "./state.js";
import {
  drawReactions,
  highlight,
  removeComment,
  setCount,
  setThreadState,
  sync,
  upsert,
} from "./thread.js";

/** Reads of the thread under way, and the events that wait for them to finish. */
const reading = { count: 0, waiting: [] };
/** The event stream, opened once: resolves when it first opens (or fails). */
const stream = { ready: null };

const events = {
  comment({ comment, comment_count }) {
    const fresh = upsert(comment, true);
    setCount(comment_count);
    if (fresh && comment.author?.id !== reader.me?.id) {
      highlight(views.get(comment.id));
      announce(translate("a_new", { name: comment.author?.name }));
    }
  },
  comment_deleted({ id, placeholder, comment_count }) {
    removeComment(id, placeholder);
    setCount(comment_count);
  },
  like({ id, likes }) {
    const view = views.get(id);
    if (view) setLikes(view, likes);
  },
  reactions({ reactions }) {
    widget.thread.reactions = reactions;
    drawReactions();
  },
  thread: setThreadState,
  acknowledgements({ ack_count }) {
    widget.thread.ack_count = ack_count;
    drawAckCount();
  },
  reset: reload,
};

/** Read the thread with `read()`; events that come meanwhile apply after it. */
export async function whileReading(read) {
  reading.count++;
  try {
    await read();
  } finally {
    if (!--reading.count) {
      const waiting = reading.waiting;
      reading.waiting = [];
      for (const [name, data] of waiting) handle(name, data);
    }
  }
}

/** Fetch the thread again; events meanwhile wait and apply on top of it. */
export function reload() {
  whileReading(() => request(threadPath).then(sync, () => {}));
}

function handle(name, data) {
  if (reading.count || !widget.thread) return reading.waiting.push([name, data]);
  try {
    let amended = data;
    for (const hooks of widget.hooks) {
      if (amended && hooks.onEvent) amended = hooks.onEvent(name, amended);
    }
    if (amended) events[name](amended);
  } catch {
    // an event this page cannot apply changes nothing
  }
}

/** Listen to the thread's events (once); resolves when the stream first opens or fails. */
export function listen() {
  stream.ready ??= new Promise(openStream);
  return stream.ready;
}

/**
 * Server-Sent Events. The browser reconnects by itself and sends
 * Last-Event-ID, so missed events are replayed. When that keeps failing we
 * back off (up to a minute) and reconnect ourselves; a new EventSource has no
 * Last-Event-ID, and neither has one that saw no event yet, so then the
 * thread is fetched again.
 */
function openStream(ready) {
  let source;
  let fails = 0;
  let resumable = false;
  const connect = (fresh) => {
    source = new EventSource(apiBase + threadPath + "/events");
    source.onopen = () => {
      fails = 0;
      if (widget.thread && (fresh || !resumable)) reload();
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
      source.addEventListener(name, (event) => {
        resumable ||= !!event.lastEventId;
        try {
          handle(name, JSON.parse(event.data));
        } catch {
          // not JSON: nothing to apply
        }
      });
    }
  };
  connect(false);
  setTimeout(ready, 3000);
  addEventListener("pagehide", () => source.close());
  addEventListener("pageshow", (event) => event.persisted && connect(true));
}
