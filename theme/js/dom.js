// The widget's DOM, built from elements whose text is set as text: buttons,
// icons, toggles, times and error lines. Nothing here parses HTML.

import { describeError } from "./api.js";
import { formatAgo, formatMoment } from "./i18n.js";
import { parts } from "./state.js";

const SVG = "http://www.w3.org/2000/svg";
let lastId = 0;

/** An element with a class, a text (set as text) and attributes. */
export function el(tag, className, text, attributes) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  for (const name in attributes) node.setAttribute(name, attributes[name]);
  return node;
}

/** A button (class k-btn and `className`) that calls `onClick`. */
export function button(label, className, onClick, attributes) {
  const node = el("button", "k-btn " + (className || ""), label, { type: "button", ...attributes });
  node.onclick = onClick;
  return node;
}

/** An icon from the page (_comments.html) in the text's colour, or "" if it has none. */
export function icon(name) {
  if (!document.getElementById("k-i-" + name)) return "";
  const svg = document.createElementNS(SVG, "svg");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", "#k-i-" + name);
  svg.append(use);
  svg.setAttribute("class", "k-ico");
  svg.setAttribute("aria-hidden", "true");
  return svg;
}

/** A toggle: icon, label and count, with aria-pressed. */
export function toggle(className, label, iconName, onClick) {
  const node = button(null, className, onClick, { "aria-pressed": "false" });
  node.append(icon(iconName), el("span", null, label), el("span", "k-n"));
  return node;
}

/** A toggle's state and count (none shown for 0). */
export function setToggle(node, pressed, count) {
  node.setAttribute("aria-pressed", pressed);
  node.lastChild.textContent = count || "";
}

/** An id of the page's own for a form's fields: k-f1, k-f2… */
export const newId = (prefix = "k-f") => prefix + ++lastId;

/** A <time> saying how long ago, with the moment in full as its title. */
export function timeElement(iso) {
  const date = new Date(iso);
  return el("time", "k-time", formatAgo(date), { datetime: iso, title: formatMoment(date) });
}

/** Say `text` to screen readers (the widget's polite live region). */
export function announce(text) {
  parts.live.textContent = "";
  setTimeout(() => (parts.live.textContent = text), 50);
}

/** A person's initials in a circle of one of six colours, always the same for them. */
export function avatar(person) {
  const initials = person.name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => [...word][0] || "");
  let hash = 7;
  for (const char of person.id) hash = (hash * 31 + char.charCodeAt(0)) % 997;
  const className = "k-avatar k-hue" + (hash % 6);
  return el("span", className, initials.join("").toUpperCase(), { "aria-hidden": "true" });
}

/** Show an error right after `anchor`, or clear it (error = null). */
export function showError(anchor, error, strings) {
  let line = anchor.nextElementSibling;
  if (!line?.matches(".k-error")) {
    if (!error) return;
    anchor.after((line = el("p", "k-error", null, { role: "alert" })));
  }
  if (error) line.textContent = describeError(error, strings);
  else line.remove();
}
