// The comments service's API (docs/API.md): one function for a call, and
// what its errors say to people.

import { formatWait, splitMoment, translate } from "./i18n.js";
import { mount } from "./state.js";

const meta = document.querySelector("meta[name=kurier-api]");
/** The API's address: the article's data-api, else the page's <meta name=kurier-api>. */
export const apiBase = (mount?.dataset.api || meta?.content || "/api/v1").replace(/\/$/, "");

/**
 * Error codes (the API's and the widget's own checks) and the strings that
 * explain them; moderate.js makes a table of its own from this one.
 */
// prettier-ignore
export const ERROR_STRINGS = {
  thread_locked: "closed", not_signed_in: "e_signin", empty: "e_empty", too_long: "e_long",
  body_too_large: "e_long", parent_deleted: "e_gone", comment_deleted: "e_gone",
  comment_not_found: "e_gone", forbidden: "e_forbidden", origin_not_allowed: "e_origin",
  muted: "e_forbidden", comment_hidden: "e_hidden", already_reported: "e_reported",
  not_must_read: "e_ack", pick: "e_pick",
};

/** One API call; a failure throws {status, code, field, retry, until}. */
export async function request(path, method = "GET", body) {
  let response, data;
  const headers = { Accept: "application/json" };
  if (body) headers["Content-Type"] = "application/json";
  try {
    response = await fetch(apiBase + path, {
      method,
      credentials: "same-origin",
      headers,
      body: body && JSON.stringify(body),
    });
    data = response.status === 204 ? {} : await response.json();
  } catch {
    data = null;
  }
  if (response?.ok && data) return data;
  const { code = "down", field, until } = data?.error || {};
  const retry = +response?.headers.get("Retry-After") || 0;
  throw { status: response?.status || 0, code, field, retry, until };
}

/** What went wrong, in plain words; `strings` maps error codes to UI strings. */
export function describeError(error, strings = ERROR_STRINGS) {
  if (error.code === "rate_limited") {
    return translate("e_rate", { wait: formatWait(error.retry || 60) });
  }
  if (error.code === "muted" && error.until) {
    return translate("e_muted", splitMoment(new Date(error.until)));
  }
  if (error.field === "name") return translate("e_name");
  return translate(strings[error.code] || (error.field === "body" ? "e_body" : "e_down"));
}
