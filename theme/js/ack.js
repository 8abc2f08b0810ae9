// A must-read article's confirmation: "I have read this", when the reader
// did, and how many people have.

import { request } from "./api.js";
import { announce, button, el, icon, showError } from "./dom.js";
import { askName } from "./forms.js";
import { formatMoment, translate } from "./i18n.js";
import { needsName, parts, threadPath, widget } from "./state.js";

export function drawAck() {
  const { thread } = widget;
  parts.ack.hidden = !thread.must_read;
  if (!thread.must_read) return;
  const { acknowledged: done, acknowledged_at: at } = thread;
  const date = at && formatMoment(new Date(at));
  const key = done ? "ack_done" : at ? "ack_again" : "ack_ask"; // at: confirmed before an update
  const text = el("p", "k-ack-text", translate(key, { date }), { tabindex: "-1" });
  parts.ackCount = el("p", "k-ack-count");
  if (done) text.prepend(icon("check"));
  parts.ack.replaceChildren(text);
  if (!done) parts.ack.append(button(translate("ack_button"), "k-btn--primary", acknowledge));
  parts.ack.append(parts.ackCount);
  drawAckCount();
}

export function drawAckCount() {
  const count = widget.thread.ack_count;
  if (parts.ackCount) parts.ackCount.textContent = count ? translate("ack_count", { count }) : "";
}

async function acknowledge() {
  if (needsName()) return askName(parts.ack, acknowledge);
  try {
    Object.assign(widget.thread, await request(threadPath + "/acknowledgement", "PUT"));
    drawAck();
    parts.ack.firstChild.focus();
    announce(translate("a_ack"));
  } catch (error) {
    showError(parts.ackCount, error);
  }
}
