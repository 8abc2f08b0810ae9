// Kurier's comment widget, the moderators' part: hide, pin, approve or reject
// comments and lock the discussion, in place. comments.js imports this module
// only when /me says the person moderates, and hands over its own helpers.
// Text from people is set with textContent only.

/** Start the moderators' controls; returns the hooks comments.js calls. */
export default function moderate(k) {
  const { t, el, button, api, say, upsert, gone, reload, events, ERRORS, tpath } = k;
  Object.assign(ERRORS, { comment_approved: "m_e_approved", no_reason: "m_e_reason" });
  const css = new URL("../css/moderate.css", import.meta.url);
  document.head.append(el("link", null, null, { rel: "stylesheet", href: css }));

  // Events carry comments as readers see them: a hidden one comes without its
  // text and author, which moderators see, so the thread is read again; the
  // count of open reports is only in the moderators' answers, so it is kept.
  const comment = events.comment;
  events.comment = (data) => {
    if (data.comment.hidden) return reload();
    const flags = k.nodes.get(data.comment.id)?.c.flags;
    comment({ ...data, comment: { ...data.comment, flags } });
  };

  const bar = el("div", "k-mod", null, { role: "group", "aria-label": t("m_tools") });
  const lockButton = button("", "k-m-lock", () => {
    if (k.th().locked) return lock(false).catch((e) => say(bar, e));
    const form = ask(t("m_lock_why"), t("m_lock"), false, (reason) => lock(true, reason));
    bar.after(form);
    form.querySelector("input").focus();
  });
  const panel = new URL("/admin/", new URL(k.base, location.href)).href;
  const title = el("span", "k-m-title", t("m_tools"), { "aria-hidden": "true" });
  bar.append(title, lockButton, el("a", "k-link k-m-panel", t("m_panel"), { href: panel }));

  async function lock(on, reason) {
    const state = await api(tpath + "/lock", on ? "PUT" : "DELETE", reason && { reason });
    events.thread(state); // the same change as the live event, applied now
    lockButton.focus();
  }

  /**
   * A small form asking for a reason, `required` or not; `go(reason)` does the
   * action. Errors stay in the form; Escape or Cancel closes it.
   */
  function ask(label, send, required, go, back = lockButton) {
    document.querySelector(".k-m-ask")?.remove();
    const form = el("form", "k-panel k-form k-m-ask", null, { novalidate: "" });
    const id = "k-m" + Date.now();
    const attrs = { id, name: "reason", maxlength: "500", autocomplete: "off" };
    const input = el("input", "k-input", null, required ? { ...attrs, required: "" } : attrs);
    const row = el("div", "k-row");
    const close = () => {
      form.remove();
      back.focus();
    };
    row.append(input, el("button", "k-btn k-btn--primary", send), button(t("cancel"), "", close));
    form.append(el("label", "k-label", label, { for: id }), row);
    form.onkeydown = (event) => {
      if (event.key === "Escape") close();
    };
    form.onsubmit = async (event) => {
      event.preventDefault();
      const reason = input.value.trim();
      if (required && !reason) return say(row, { code: "no_reason" });
      try {
        await go(reason || undefined);
        form.remove();
      } catch (e) {
        say(row, e);
      }
    };
    return form;
  }

  /**
   * One comment action; the answer (the moderated comment) redraws it in place
   * and the focus goes to the control `then` (else the first one of the row).
   */
  async function act(n, then, method, path, body) {
    const c = await api("/comments/" + n.c.id + path, method, body);
    if (c.rejected) {
      gone(c.id);
      return k.box.querySelector(".k-total").focus();
    }
    upsert(c);
    (control(n, then) || n.art.querySelector(".k-c-actions button"))?.focus();
  }

  /** An action straight from its button: errors show under the comment. */
  const now = (n, ...how) => act(n, ...how).catch((e) => say(n.art.lastChild, e));

  const control = (n, name) => n.art.querySelector(`[data-m=${name}]`);

  /** Open a reason form under a comment. */
  function askFor(n, b, label, send, required, go) {
    const form = ask(label, send, required, go, b);
    n.li.insertBefore(form, n.list);
    form.querySelector("input").focus();
  }

  /** The controls of one comment, added to its actions row as comments.js draws it. */
  function controls(n, row, head) {
    const c = n.c;
    // A redraw (live event, new answer) replaces the buttons: keep the focus on the same one.
    const had = document.activeElement?.dataset?.m;
    if (had && n.art.contains(document.activeElement)) {
      queueMicrotask(() => control(n, had)?.focus());
    }
    row.querySelector(".k-rep")?.remove(); // a moderator acts instead of reporting
    n.li.classList.toggle("k-m-hidden", !!c.hidden);
    if (c.hidden) {
      const reason = c.hidden.auto ? t("m_auto") : c.hidden.reason;
      head.append(el("span", "k-badge k-m-badge", t("hidden_badge", { reason })));
    }
    if (c.flags) head.append(el("span", "k-badge k-m-badge", t("m_flags", { count: c.flags })));
    const add = (name, label, onclick, attrs) => {
      const b = button(label, "k-link k-m", onclick, { "data-m": name, ...attrs });
      row.append(b);
      return b;
    };
    if (c.approved === false) {
      add("approve", t("m_approve"), () => now(n, "hide", "PUT", "/approved"));
      const no = add("reject", t("m_reject"), () =>
        askFor(n, no, t("m_reject_why"), t("m_reject"), false, (reason) =>
          act(n, "reject", "DELETE", "/approved", reason && { reason }),
        ),
      );
      return;
    }
    if (!c.hidden || c.hidden.auto) {
      // Hiding for good also settles what the reports hid for a while.
      const hide = add("hide", t("m_hide"), () =>
        askFor(n, hide, t("m_hide_why"), t("m_hide"), true, (reason) =>
          act(n, "unhide", "PUT", "/hidden", { reason }),
        ),
      );
    }
    if (c.hidden) add("unhide", t("m_unhide"), () => now(n, "hide", "DELETE", "/hidden"));
    else if (c.flags) {
      add("dismiss", t("m_dismiss"), () => now(n, "hide", "PUT", "/flags/dismissed"));
    }
    if (!c.parent) {
      const on = !c.pinned;
      add("pin", t("m_pin"), () => now(n, "pin", on ? "PUT" : "DELETE", "/pinned"), {
        "aria-pressed": !on,
      });
    }
  }

  return {
    c: controls,
    /** Called whenever comments.js redraws the form: the lock follows the thread. */
    bar() {
      if (!bar.isConnected) k.box.prepend(bar);
      lockButton.textContent = t(k.th().locked ? "m_unlock" : "m_lock");
    },
  };
}
