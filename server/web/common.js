// Shared helpers of the web pages: live updates (Server-Sent Events), times on the library's clock,
// and elements. The staff pages' sign-in and requests are in staff.js.
"use strict";

const LIBRARY_TZ = "Asia/Tokyo";
const WEEKDAYS_JA = ["日", "月", "火", "水", "木", "金", "土"];

// Subscribe to a server-sent event stream; EventSource reconnects by itself after errors
// and after the server ends a stream, and each (re)connection starts with a full snapshot.
function live(url, eventName, onData) {
  const source = new EventSource(url);
  source.addEventListener(eventName, (message) => onData(JSON.parse(message.data)));
  return source;
}

function hhmm(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString("ja-JP", { timeZone: LIBRARY_TZ, hour: "2-digit", minute: "2-digit" });
}

// "11月27日(金) 9:00" / "Fri 27 Nov, 9:00" for an opening time.
function opensText(iso) {
  if (!iso) return { ja: "", en: "" };
  const d = new Date(iso);
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: LIBRARY_TZ, year: "numeric", month: "numeric", day: "numeric", weekday: "short",
    hour: "numeric", minute: "2-digit", hour12: false,
  }).formatToParts(d).map((p) => [p.type, p.value]));
  const dayIndex = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day)).getUTCDay();
  const month = new Intl.DateTimeFormat("en-GB", { timeZone: LIBRARY_TZ, month: "short" }).format(d);
  return {
    ja: `${Number(parts.month)}月${Number(parts.day)}日(${WEEKDAYS_JA[dayIndex]}) ${parts.hour}:${parts.minute}`,
    en: `${parts.weekday} ${Number(parts.day)} ${month}, ${parts.hour}:${parts.minute}`,
  };
}

function clockText() {
  const now = new Date();
  return now.toLocaleTimeString("ja-JP", { timeZone: LIBRARY_TZ, hour: "2-digit", minute: "2-digit" });
}

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
