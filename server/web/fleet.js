// Kiosk fleet page: staff sign in (staff.js, the counter console's sessions), then every kiosk's
// state is fetched from /v1/fleet/kiosks and redrawn every few seconds. States are judged by the server. Below
// them, the staff sign-in lockouts in force (/v1/staff/lockouts), which an administrator can clear here.
"use strict";

const REFRESH_MS = 5000;
const STATES = {
  up: ["稼働中", "Up"],
  stale: ["応答なし", "Stale"],
  out_of_service: ["休止中", "Out of service"],
  printer_problem: ["プリンター異常", "Printer problem"],
  never_seen: ["未接続", "Never seen"],
  revoked: ["失効", "Revoked"],
};
const SEVERITY = ["stale", "printer_problem", "out_of_service", "never_seen", "up", "revoked"];
const PAPER = { ok: ["用紙あり", "Paper OK"], near_end: ["用紙残りわずか", "Paper low"], out: ["用紙切れ", "Paper out"],
                unknown: ["不明", "Unknown"] };
const state = { timer: null };

function bilingual(pair, cls) { return el("span", { class: cls }, pair[0], el("span", { class: "en" }, pair[1])); }

function when(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("ja-JP", { timeZone: LIBRARY_TZ, month: "numeric", day: "numeric",
                                                 hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function ago(iso, now) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((new Date(now) - new Date(iso)) / 1000));
  if (s < 60) return `${s}秒前 / ${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}分前 / ${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)}時間前 / ${Math.round(s / 3600)} h ago`;
}

function start() {
  refresh();
  clearInterval(state.timer);
  state.timer = setInterval(refresh, REFRESH_MS);
}

function stop() { clearInterval(state.timer); }

function printerCell(k) {
  if (k.printer_online === null) return el("span", { class: "none" }, "—");
  const paper = PAPER[k.printer_paper] || PAPER.unknown;
  return el("div", {},
    k.printer_online ? el("span", {}, "接続 ", el("span", { class: "inline-en" }, "online"))
                     : el("span", { class: "bad" }, "未接続 ", el("span", { class: "inline-en" }, "offline")),
    el("div", { class: { ok: "sub", near_end: "warn" }[k.printer_paper] || "bad" }, `${paper[0]} / ${paper[1]}`),
    k.printer_error ? el("div", { class: "sub bad" }, k.printer_error) : null);
}

function readerCell(k) {
  if (k.last_seen === null) return el("span", { class: "none" }, "—");
  if (k.reader_error || !k.reader) return el("span", { class: "bad" }, k.reader_error || "no reader");
  return el("span", {}, k.reader);
}

function errorsCell(k) {
  if (!k.recent_errors.length) return el("span", { class: "none" }, "なし / none");
  return el("ul", { class: "errors" }, k.recent_errors.map((e) => el("li", {}, el("time", {}, when(e.at)), e.message)));
}

function row(k, now) {
  const flags = [];
  if (k.in_service === false && k.state !== "out_of_service") flags.push(bilingual(STATES.out_of_service, "state state-out_of_service"));
  if (k.printer_problem && k.state !== "printer_problem") flags.push(bilingual(STATES.printer_problem, "state state-printer_problem"));
  return el("tr", { "data-kiosk": k.kiosk_id, "data-state": k.state },
    el("td", {}, el("div", { class: "name" }, k.kiosk_id), el("div", { class: "sub" }, k.name)),
    el("td", {}, bilingual(STATES[k.state], `state state-${k.state}`), ...flags.map((f) => el("div", {}, f))),
    el("td", {}, el("div", {}, when(k.last_seen)), el("div", { class: "sub" }, ago(k.last_seen, now)),
      k.clock_skew_s !== null && Math.abs(k.clock_skew_s) > 60
        ? el("div", { class: "sub warn" }, `時計のずれ ${k.clock_skew_s}s / clock off`) : null),
    el("td", {}, printerCell(k)),
    el("td", {}, readerCell(k)),
    el("td", {}, k.outbox_length === null ? el("span", { class: "none" }, "—")
                 : el("span", { class: k.outbox_length > 0 ? "warn" : "" }, String(k.outbox_length))),
    el("td", {}, k.version || "—"),
    el("td", {}, errorsCell(k)));
}

const LOCK_KINDS = { account: ["職員ID", "Staff ID"], client: ["接続元", "Client address"] };

function lockoutRow(lock, canClear) {
  return el("tr", { "data-lockout": lock.id, "data-kind": lock.kind },
    el("td", {}, el("div", { class: "name" }, lock.subject),
      el("div", { class: "kind" }, `${LOCK_KINDS[lock.kind][0]} / ${LOCK_KINDS[lock.kind][1]}`)),
    el("td", {}, String(lock.failures)),
    el("td", {}, when(lock.locked_at)),
    el("td", {}, when(lock.until)),
    el("td", {}, canClear ? el("button", { class: "secondary clear-lockout", type: "button",
                                           onclick: () => clearLockout(lock.id) },
                               "解除 ", el("span", { class: "inline-en" }, "Clear")) : null));
}

async function refreshLockouts() {
  try {
    const data = await api("GET", "/v1/staff/lockouts");
    $("lockout-error").classList.add("hidden");
    $("lockout-rows").replaceChildren(...(data.lockouts.length ? data.lockouts.map((l) => lockoutRow(l, data.can_clear))
      : [el("tr", {}, el("td", { colspan: 5, class: "none" }, "なし / none"))]));
  } catch (error) {
    if (staff.token) showError($("lockout-error"), error);
  }
}

async function clearLockout(id) {
  try {
    await api("DELETE", `/v1/staff/lockouts/${id}`);
  } catch (error) {
    if (staff.token) showError($("lockout-error"), error);
    return;
  }
  await refreshLockouts();
}

// Where the kiosks' card lookups go: the server's database, or the ILS over SIP2 (its last success and error).
const SOURCE = { ok: ["接続中", "Connected"], unreachable: ["接続できません", "Unreachable"],
                 unknown: ["未確認", "Not asked yet"] };

function patronSourceLine(src, now) {
  if (!src || src.kind === "database") return [bilingual(["利用者情報: サーバーのデータベース", "Patrons: the server's database"], "source-name")];
  const parts = [bilingual(["図書館システム (SIP2)", "Library system (SIP2)"], "source-name"), " ",
                 bilingual(SOURCE[src.state] || SOURCE.unknown, `state source-${src.state}`),
                 el("span", { class: "sub" }, ` 最終成功 / last success ${when(src.last_success_at)}`)];
  if (src.last_error_at) {
    parts.push(el("span", { class: "sub" }, ` 最終エラー / last error ${when(src.last_error_at)} ` +
                  `${ago(src.last_error_at, now)}: ${src.last_error || ""}`));
  }
  return parts;
}

async function refresh() {
  if (!staff.token) return;
  try {
    const data = await api("GET", "/v1/fleet/kiosks");
    $("load-error").classList.add("hidden");
    // Kiosks that need someone first; the server's order (by id) within each state.
    const kiosks = [...data.kiosks].sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state));
    $("kiosk-rows").replaceChildren(...kiosks.map((k) => row(k, data.now)));
    const counts = {};
    for (const k of data.kiosks) counts[k.state] = (counts[k.state] || 0) + 1;
    $("summary").replaceChildren(...Object.keys(STATES).filter((s) => counts[s]).map((s) =>
      el("div", { class: `count`, "data-count": s }, el("strong", {}, counts[s]), bilingual(STATES[s], `state state-${s}`))));
    $("patron-source").replaceChildren(...patronSourceLine(data.patron_source, data.now));
    $("patron-source").dataset.state = data.patron_source ? data.patron_source.state : "";
    $("updated").textContent = `更新 ${when(data.now)}`;
  } catch (error) {
    if (staff.token) showError($("load-error"), error);
  }
  if (staff.token) await refreshLockouts();
}

staffPage({ main: "fleet", start, stop });
