// The widget's forms: a reader's name, a comment (new, reply or edit), a
// report, a deletion's confirmation. Each is handed what to do when sent;
// `failed(anchor, error)` shows what went wrong (by default under `anchor`).

import { request } from "./api.js";
import { button, el, newId, showError } from "./dom.js";
import { translate } from "./i18n.js";
import { mount, needsName, reader } from "./state.js";

const MAX_LENGTH = 5000;
const REPORT_REASONS = ["report_spam", "report_rude", "report_false", "report_other"];

function nameInput(id) {
  const attributes = { id, name: "name", autocomplete: "name", maxlength: "60", required: "" };
  return el("input", "k-input", null, attributes);
}

/** Who is writing; behind the company sign-in, with the way to sign out. */
function postingAs() {
  const line = el("p", "k-as", translate("as", { name: reader.me.name }));
  if (reader.signOut) {
    line.append(" · ", el("a", "k-signout", translate("sign_out"), { href: reader.signOut }));
  }
  return line;
}

async function signIn(name) {
  reader.me = (await request("/me", "POST", { name: name.trim() })).user;
  for (const field of mount.querySelectorAll(".k-namefield")) field.replaceWith(postingAs());
}

/** Open mode, signed out: ask for a display name, then carry on with `then`. */
export function askName(anchor, then) {
  mount.querySelector(".k-ask")?.remove();
  const form = el("form", "k-ask k-form", null, { novalidate: "" });
  const id = newId();
  const input = nameInput(id);
  const row = el("div", "k-row");
  const cancel = button(translate("cancel"), "", () => form.remove());
  row.append(input, el("button", "k-btn k-btn--primary", translate("next")), cancel);
  form.append(el("label", "k-label", translate("ask_name"), { for: id }), row);
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await signIn(input.value);
      form.remove();
      then();
    } catch (error) {
      showError(row, error);
    }
  };
  anchor.after(form);
  input.focus();
}

/**
 * The comment form, for a new comment, a reply or an edit (`purpose`), with
 * `text` to start from. `submit(body)` sends it; then the form empties and
 * `close` runs, as it does on Cancel and Escape (a new comment's form stays).
 */
export function commentForm({
  purpose,
  label,
  send,
  text = "",
  close,
  submit,
  failed = showError,
}) {
  const form = el("form", "k-form", null, { novalidate: "" });
  const id = newId();
  if (purpose !== "edit" && needsName()) {
    const field = el("div", "k-namefield");
    field.append(
      el("label", "k-label", translate("name_label"), { for: id + "n" }),
      nameInput(id + "n"),
    );
    form.append(field);
  } else if (reader.me && purpose === "comment") {
    form.append(postingAs());
  }
  const textarea = el("textarea", "k-input k-text", null, {
    id,
    name: "body",
    rows: purpose === "comment" ? 4 : 3,
    required: "",
    "aria-describedby": id + "h " + id + "c",
  });
  textarea.value = text;
  const counter = el("span", "k-counter", null, { id: id + "c" });
  const count = () => {
    const length = [...textarea.value].length;
    counter.textContent = `${length} / ${MAX_LENGTH}`;
    counter.classList.toggle("k-over", length > MAX_LENGTH);
  };
  textarea.oninput = count;
  count();
  const row = el("div", "k-row");
  row.append(counter);
  if (close) row.append(button(translate("cancel"), "", close));
  row.append(el("button", "k-btn k-btn--primary", send));
  const hint = el("p", "k-hint", translate("hint"), { id: id + "h" });
  form.append(el("label", "k-label", label, { for: id }), textarea, hint, row);
  form.onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key === "Escape" && close) close();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (form.busy) return;
    const body = textarea.value;
    const length = [...body.trim()].length;
    if (!length || length > MAX_LENGTH) {
      return showError(row, { code: length ? "too_long" : "empty" });
    }
    form.busy = true;
    try {
      const name = form.querySelector("[name=name]");
      if (name) await signIn(name.value);
      await submit(body);
      textarea.value = "";
      count();
      showError(row, null);
      close?.();
    } catch (error) {
      failed(row, error);
    } finally {
      form.busy = false;
    }
  };
  return form;
}

/** Report a comment: a reason picked from a few, details optional; `send(reason)` sends it. */
export function reportForm({ close, send }) {
  const form = el("form", "k-panel k-form", null, { novalidate: "" });
  const reasons = el("fieldset", "k-why");
  reasons.append(el("legend", "k-label", translate("report_why")));
  for (const key of REPORT_REASONS) {
    const label = el("label");
    label.append(
      el("input", null, null, { type: "radio", name: "why", value: translate(key) }),
      translate(key),
    );
    reasons.append(label);
  }
  const id = newId();
  const details = el("textarea", "k-input", null, { id, rows: 2, maxlength: 400 });
  const row = el("div", "k-row");
  row.append(
    button(translate("cancel"), "", close),
    el("button", "k-btn k-btn--primary", translate("report_send")),
  );
  form.append(reasons, el("label", "k-label", translate("report_more"), { for: id }), details, row);
  form.onkeydown = (event) => {
    if (event.key === "Escape") close();
  };
  form.onsubmit = async (event) => {
    event.preventDefault();
    const picked = form.querySelector(":checked");
    const more = details.value.trim();
    if (!picked) return showError(row, { code: "pick" });
    try {
      await send(picked.value + (more ? ": " + more : ""));
    } catch (error) {
      showError(row, error);
    }
  };
  return form;
}

/** Ask before deleting: the actions `row` gives way to the question until it is answered. */
export function confirmDeletion(row, back, { confirm, failed = showError }) {
  const label = translate("confirm_delete");
  const question = el("div", "k-confirm", null, { role: "group", "aria-label": label });
  const no = button(translate("cancel"), "", () => {
    question.replaceWith(row);
    back.focus();
  });
  const yes = button(translate("confirm_yes"), "k-btn--danger", async () => {
    try {
      await confirm();
    } catch (error) {
      failed(question, error);
    }
  });
  question.append(el("span", null, label), yes, no);
  row.replaceWith(question);
  no.focus();
}
