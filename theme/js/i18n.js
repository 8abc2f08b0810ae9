// The widget's words and dates in the page's language (<html lang>). The
// strings are the page's own (#k-strings: theme/i18n/*.json, "widget").

const catalogue = JSON.parse(document.getElementById("k-strings")?.textContent || "{}");
const lang = document.documentElement.lang || "pl";
// The site writes English dates the British way: 3 November 2026, 09:00.
const locale = lang === "en" ? "en-GB" : lang;
const plurals = new Intl.PluralRules(locale);
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
const dateAndTime = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" });
const mediumDate = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const longDate = new Intl.DateTimeFormat(locale, { dateStyle: "long" });
const clock = new Intl.DateTimeFormat(locale, { timeStyle: "short" });

/** A UI string with its {placeholders} filled; plural entries pick a form by {count}. */
export function translate(key, values = {}) {
  let text = catalogue[key] ?? key;
  if (typeof text === "object") text = text[plurals.select(values.count)] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);
}

/** A reaction's name: its string where the page has one, else the kind itself. */
export const reactionName = (kind) => catalogue["r_" + kind] || kind;

/** A moment in full: date and time. */
export const formatMoment = (date) => dateAndTime.format(date);

/** A moment as {date, time}, for "until {date}, {time}". */
export const splitMoment = (date) => ({ date: longDate.format(date), time: clock.format(date) });

/** How long to wait: "in 30 seconds", "in 2 minutes". */
export const formatWait = (seconds) =>
  seconds > 90
    ? relative.format(Math.ceil(seconds / 60), "minute")
    : relative.format(seconds, "second");

/** How long ago: "just now", "5 minutes ago"… and after a week the date. */
export function formatAgo(date) {
  const seconds = (date - Date.now()) / 1000;
  const distance = Math.abs(seconds);
  if (distance < 45) return translate("now");
  if (distance < 2700) return relative.format(Math.round(seconds / 60), "minute");
  if (distance < 79200) return relative.format(Math.round(seconds / 3600), "hour");
  if (distance < 604800) return relative.format(Math.round(seconds / 86400), "day");
  return mediumDate.format(date);
}
