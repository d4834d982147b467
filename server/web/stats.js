// Statistics page: staff sign in (staff.js, the counter console's sessions), pick a range of library
// days, and see kiosk outcomes and queue tickets as inline SVG charts and tables (no library, no CDN). Every
// figure comes from /v1/stats, where counts below the threshold are already null: shown here as "<N", hatched.
"use strict";

const SERVICES = {
  migrate: ["マイナンバーカード連携の切り替え", "Switch the My Number link"],
  expiry: ["有効期限の確認", "Expiry check"],
  ticket: ["整理券の発行", "Queue ticket"],
  checkup: ["カードの点検", "Card check-up"],
  renewal: ["更新の申請", "Renewal request"],
  registration: ["利用者カードの登録申請", "Registration application"],
};
const OUTCOMES = {
  completed: ["完了", "Completed"],
  counter: ["窓口へ案内", "Sent to the counter"],
  failed: ["失敗", "Failed"],
  abandoned: ["中断", "Abandoned"],
};
const REASONS = {
  valid: ["有効", "valid"], renewable: ["更新可能", "renewable"], expired: ["期限切れ", "expired"],
  pin_blocked: ["暗証番号ロック", "PIN blocked"], pin_wrong: ["暗証番号の誤り", "wrong PIN"],
  certificate_expired: ["電子証明書の期限切れ", "certificate expired"],
  certificate_revoked: ["電子証明書の失効", "certificate revoked"], certificate_invalid: ["電子証明書が無効", "certificate invalid"],
  certificate: ["電子証明書の確認", "certificate check"], unknown_ca: ["発行元不明の証明書", "unknown issuer"],
  card_removed: ["カードが外された", "card removed"], card_not_my_number: ["マイナンバーカード以外", "not a My Number card"],
  card_unresponsive: ["カードが応答しない", "card not responding"], card_reader_gone: ["カードリーダーなし", "no card reader"],
  card_no_card: ["カードなし", "no card"],
  server_unreachable: ["サーバーに接続できない", "server unreachable"], server_error: ["サーバーエラー", "server error"],
  no_old_link: ["旧方式の連携なし", "no old-scheme link"], linked_elsewhere: ["別の利用者カードに連携済み", "linked elsewhere"],
  already_migrated: ["切り替え済み", "already switched"], unknown_patron: ["登録なし", "not registered"],
  unknown_card: ["カード番号の登録なし", "unknown card number"], not_linked: ["連携なし", "not linked"],
  migration_pending: ["職員の確認待ち", "held for staff"], counter_closed: ["窓口の時間外", "counter closed"],
  print_offline: ["プリンター未接続", "printer offline"], print_paper_out: ["用紙切れ", "paper out"],
  renewal_request: ["更新の申請（窓口で確認）", "renewal request"],
  renewal_without_card: ["更新（カードなし・持ち物案内）", "renewal without the card"],
  registration_application: ["登録の申請（窓口で確認）", "registration application"],
  registration_without_card: ["登録（カードなし・持ち物案内）", "registration without the card"],
  already_patron: ["利用者カード連携済み", "already a patron"], pending: ["申請済み", "already waiting"],
  challenge: ["署名の期限切れ", "signature expired"],
  not_yet_open: ["更新期間前", "renewal not yet open"], unmatched: ["記録と不一致", "does not match the record"],
  inactive: ["利用停止中", "card inactive"], not_yet: ["更新期間前", "not yet renewable"],
  checkup_first_linkage: ["初めての連携（窓口）", "first link, at the counter"],
  checkup_renewal: ["カードの更新（窓口）", "card renewal, at the counter"],
  nothing: ["手続き不要", "nothing to do"], migrate: ["連携の切り替えを案内", "switch offered"],
  renew_card: ["カードの更新を案内", "card renewal advised"],
  renew_certificate: ["電子証明書の更新を案内", "certificate renewal advised"],
  print_cover_open: ["プリンターのふたが開いている", "printer cover open"], print_error: ["印刷エラー", "print error"],
};
const FOLLOW_UPS = {
  migration: ["連携の切り替え（職員の確認待ち）", "Held MyKey switch"],
  renewal: ["カードの更新の申請", "Renewal request"],
  registration: ["利用者カードの登録申請", "Registration application"],
};
const FOLLOW_UP_STATUS = {
  pending: ["確認待ち", "pending"], confirmed: ["確認済み", "confirmed"], rejected: ["却下", "rejected"],
  completed: ["完了", "completed"], cancelled: ["取消", "cancelled"],
  created: ["申請", "created"], waiting: ["窓口待ち", "waiting"], withdrawn: ["取下げ", "withdrawn"],
  expired: ["期限切れ（個人情報消去）", "expired (forgotten)"],
};
const state = { report: null };
const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function pair(table, code) {
  if (table[code]) return table[code];
  const left = /^left_(.+)$/.exec(code || "");
  if (left) return [`途中で終了（${left[1]}）`, `left at ${left[1]}`];
  return [code, code];
}

function bilingual(p) { return [p[0], el("span", { class: "en" }, p[1])]; }

// A count as text: null means "more than zero, fewer than the threshold".
function shown(count) { return count === null ? `<${state.report.min_cell}` : String(count); }

function countCell(count) {
  return el("td", { class: count === null ? "num few" : "num", "data-value": shown(count) }, shown(count));
}

function rangeQuery() {
  const start = $("start").value, end = $("end").value;
  return start && end ? `?start=${start}&end=${end}` : "";
}

async function load(event) {
  if (event) event.preventDefault();
  if (!staff.token) return;
  try {
    const report = await api("GET", `/v1/stats${rangeQuery()}`);
    $("load-error").classList.add("hidden");
    state.report = report;
    $("start").value = report.start;
    $("end").value = report.end;
    render(report);
  } catch (error) {
    if (staff.token) showError($("load-error"), error);
  }
}

function preset(days) {
  const end = $("end").value ? new Date(`${$("end").value}T00:00:00Z`) : new Date();
  const start = new Date(end.getTime() - (days - 1) * 86400000);
  $("start").value = start.toISOString().slice(0, 10);
  $("end").value = end.toISOString().slice(0, 10);
  load();
}

async function downloadCsv() {
  try {
    const response = await apiResponse("GET", `/v1/stats.csv${rangeQuery()}`);
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "stats.csv";
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, id: "csv-link" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    showError($("load-error"), error);
  }
}

// -- rendering ----------------------------------------------------------------------------------
function render(r) {
  $("privacy").textContent = `個人を特定できる情報は含みません。${r.min_cell}件未満は「<${r.min_cell}」と表示します。` +
    ` / Nothing here identifies a patron; counts below ${r.min_cell} read "<${r.min_cell}".`;
  const t = r.totals;
  const tiles = [
    ["sessions", ["端末の利用", "Kiosk sessions"], shown(t.sessions)],
    ["completed", OUTCOMES.completed, shown(t.completed)],
    ["counter", OUTCOMES.counter, shown(t.counter)],
    ["failed", OUTCOMES.failed, shown(t.failed)],
    ["abandoned", OUTCOMES.abandoned, shown(t.abandoned)],
    ["tickets", ["整理券", "Queue tickets"], shown(t.tickets)],
    ["wait", ["平均待ち時間", "Average wait"], t.average_wait_minutes === null ? "—" : `${t.average_wait_minutes} 分`],
  ];
  $("totals").replaceChildren(...tiles.map(([key, label, value]) =>
    el("div", { class: "tile", "data-total": key }, el("strong", {}, value), el("span", {}, ...bilingual(label)))));
  $("chart-services").replaceChildren(serviceChart(r));
  $("chart-hours").replaceChildren(columnChart(hoursShown(r.hours), (k) => k, "hours", 480));
  const step = Math.max(1, Math.ceil(r.days.length / 15));
  $("chart-days").replaceChildren(columnChart(r.days, (k, i) => (i % step === 0 ? k.slice(5) : ""), "days", 1000));
  $("reason-rows").replaceChildren(...(r.reasons.length ? r.reasons.map((c) =>
    el("tr", { "data-service": c.service, "data-outcome": c.outcome, "data-reason": c.reason },
      el("td", {}, ...bilingual(pair(SERVICES, c.service))), el("td", {}, ...bilingual(OUTCOMES[c.outcome])),
      el("td", {}, ...bilingual(pair(REASONS, c.reason))), countCell(c.count)))
    : [el("tr", {}, el("td", { colspan: 4, class: "none" }, "なし / none"))]));
  $("ticket-rows").replaceChildren(...r.tickets.map((s) =>
    el("tr", { "data-service": s.service },
      el("td", {}, s.name_ja, el("span", { class: "en" }, s.name_en)), countCell(s.issued), countCell(s.served),
      countCell(s.no_show),
      el("td", { class: "num", "data-value": s.average_wait_minutes ?? "" },
         s.average_wait_minutes === null ? "—" : `${s.average_wait_minutes} 分 / min`))));
  $("follow-up-rows").replaceChildren(...r.follow_ups.map((f) =>
    el("tr", { "data-kind": f.kind, "data-status": f.status },
      el("td", {}, ...bilingual(FOLLOW_UPS[f.kind])), el("td", {}, ...bilingual(pair(FOLLOW_UP_STATUS, f.status))),
      countCell(f.count))));
  $("kiosk-rows").replaceChildren(...(r.kiosks.length ? r.kiosks.map((k) =>
    el("tr", { "data-kiosk": k.kiosk_id },
      el("td", {}, k.kiosk_id, el("span", { class: "en" }, k.name)), countCell(k.sessions), countCell(k.completed),
      countCell(k.counter), countCell(k.failed), countCell(k.abandoned)))
    : [el("tr", {}, el("td", { colspan: 6, class: "none" }, "なし / none"))]));
}

function hatch() {
  return svg("defs", {}, svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse",
                                          patternTransform: "rotate(45)" },
    svg("rect", { width: 6, height: 6, fill: "#f1efe9" }), svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#8a8f99",
                                                                      "stroke-width": 2 })));
}

function legend(entries) {
  return el("div", { class: "legend" }, entries.map(([cls, p]) => el("span", {}, el("i", { class: cls }), `${p[0]} ${p[1]}`)),
            el("span", {}, el("i", { class: "few" }),
               `${state.report.min_cell}件未満 fewer than ${state.report.min_cell}`));
}

// One horizontal bar per kiosk service, split by outcome; a suppressed part is a hatched sliver.
function serviceChart(r) {
  const services = [...new Set(r.outcomes.map((c) => c.service))];
  if (!services.length) return el("p", { class: "none" }, "まだ記録がありません / Nothing recorded yet");
  const few = r.min_cell - 1;
  const value = (c) => (c.count === null ? few : c.count);
  const totals = services.map((s) => r.outcomes.filter((c) => c.service === s).reduce((sum, c) => sum + value(c), 0));
  const max = Math.max(1, ...totals);
  // Each service: its name on one line, its bar under it (long Japanese names need the whole width).
  const left = 0, width = 420, bar = 22, row = 50;
  const height = services.length * row + 4;
  const chart = svg("svg", { viewBox: `0 0 ${width + 60} ${height}`, role: "img", class: "bars",
                             "aria-label": "サービス別の結果 / sessions by service and outcome" }, hatch());
  services.forEach((service, i) => {
    const y = i * row + 20;
    const label = pair(SERVICES, service);
    chart.append(svg("text", { x: 0, y: y - 6, class: "bar-label" }, label[0],
                     svg("tspan", { class: "bar-label-en" }, `  ${label[1]}`)));
    let x = left;
    for (const c of r.outcomes.filter((o) => o.service === service)) {
      const w = (value(c) / max) * width;
      if (w <= 0) continue;
      chart.append(svg("rect", { x, y, width: w, height: bar, class: c.count === null ? "suppressed" : `o-${c.outcome}`,
                                 "data-service": service, "data-outcome": c.outcome, "data-value": shown(c.count) },
                       svg("title", {}, `${OUTCOMES[c.outcome][0]} ${OUTCOMES[c.outcome][1]}: ${shown(c.count)}`)));
      x += w;
    }
    // With a suppressed part the total is only known to be above the shown counts.
    const parts = r.outcomes.filter((o) => o.service === service);
    const known = parts.reduce((sum, c) => sum + (c.count || 0), 0);
    const exact = parts.every((c) => c.count !== null);
    chart.append(svg("text", { x: x + 6, y: y + 16, class: "bar-total" }, exact ? String(known) : `${known}+`));
  });
  return el("div", {}, chart, legend(Object.entries(OUTCOMES).map(([k, p]) => [`o-${k}`, p])));
}

// Hours with anything in them, and at least the library's opening hours (9-20).
function hoursShown(hours) {
  const used = hours.filter((h) => h.sessions !== 0 || h.tickets !== 0).map((h) => Number(h.key));
  const from = Math.min(9, ...used), to = Math.max(20, ...used);
  return hours.filter((h) => Number(h.key) >= from && Number(h.key) <= to);
}

// Paired columns (kiosk sessions, queue tickets) per hour or per day.
function columnChart(rows, label, name, target) {
  const few = state.report.min_cell - 1;
  const v = (n) => (n === null ? few : n);
  const max = Math.max(1, ...rows.flatMap((p) => [v(p.sessions), v(p.tickets)]));
  const plotH = name === "days" ? 160 : 180, top = 16, base = top + plotH, left = 34;
  const slot = Math.max(4, Math.min(48, target / rows.length));
  const barW = Math.max(2, slot * 0.38);
  const width = left + rows.length * slot + 10;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${base + 22}`, role: "img", "aria-label": name }, hatch(),
    svg("line", { x1: left, y1: base, x2: width, y2: base, class: "axis" }),
    svg("text", { x: 0, y: top + 4 }, String(max)), svg("text", { x: 0, y: base }, "0"));
  rows.forEach((p, i) => {
    const x = left + i * slot + slot * 0.1;
    [["sessions", p.sessions], ["tickets", p.tickets]].forEach(([series, n], j) => {
      const h = (v(n) / max) * plotH;
      chart.append(svg("rect", { x: x + j * barW, y: base - h, width: barW, height: h,
                                 class: n === null ? "suppressed" : `s-${series}`,
                                 "data-key": p.key, "data-series": series, "data-value": shown(n) },
                       svg("title", {}, `${p.key} ${series === "sessions" ? "端末の利用 sessions" : "整理券 tickets"}: ${shown(n)}`)));
    });
    const text = label(p.key, i);
    if (text) chart.append(svg("text", { x, y: base + 15 }, text));
  });
  return el("div", {}, chart, legend([["s-sessions", ["端末の利用", "kiosk sessions"]], ["s-tickets", ["整理券", "queue tickets"]]]));
}

$("range-form").addEventListener("submit", load);
$("csv").addEventListener("click", downloadCsv);
for (const button of document.querySelectorAll("[data-days]")) {
  button.addEventListener("click", () => preset(Number(button.dataset.days)));
}
staffPage({ main: "stats", start: () => { load(); } });
