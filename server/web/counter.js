// Counter console: staff sign in (staff.js), pick their counter, call and finish tickets.
// /v1/events wakes the page on any change.
"use strict";

const state = { config: null, overview: null, source: null };

function counterId() { return $("counter-select").value; }

async function start() {
  state.config = await api("GET", "/v1/counter/config");
  const select = $("counter-select");
  select.replaceChildren(...state.config.counters.map((c) => el("option", { value: c.id }, `${c.name_ja} / ${c.name_en}`)));
  select.value = localStorage.getItem("counterId") || state.config.counters[0].id;
  $("staff-name").textContent = `${state.config.staff_name} (${state.config.staff_id})`;
  $("migrations-section").classList.toggle("hidden", state.config.migration_policy !== "staff");
  state.source = live("/v1/events", "change", () => refresh());
  await refresh();
}

function stop() {
  if (state.source) state.source.close();
  for (const part of Object.keys(drawn)) delete drawn[part];
}

const drawn = {};
function changed(part, data) {
  const text = JSON.stringify(data);
  if (drawn[part] === text) return false;
  drawn[part] = text;
  return true;
}

let refreshing = null;
async function refresh() {
  if (!staff.token) return;
  // Changes arrive in bursts: one refresh at a time, plus one more if something changed meanwhile.
  if (refreshing) { refreshing.again = true; return; }
  refreshing = { again: false };
  try {
    const [overview, alerts] = await Promise.all([api("GET", "/v1/counter/overview"), api("GET", "/v1/counter/alerts")]);
    state.overview = overview;
    // Redraw only what changed, so a button is not replaced under the pointer for nothing.
    if (changed("overview", { overview, counter: counterId() })) renderOverview(overview);
    if (changed("alerts", alerts)) renderAlerts(alerts);
    if (state.config.migration_policy === "staff") {
      const requests = await api("GET", "/v1/staff/migrations");
      if (changed("migrations", requests)) renderMigrations(requests);
    }
    const renewals = await api("GET", "/v1/staff/renewals");
    const reference = currentTicket()?.reference || null;
    if (changed("renewals", { renewals, reference })) renderRenewals(renewals, reference);
    const applications = await api("GET", "/v1/staff/registration-applications");
    if (changed("applications", { applications, reference })) renderApplications(applications, reference);
  } catch (error) {
    if (staff.token) showError($("action-error"), error);
  } finally {
    const again = refreshing.again;
    refreshing = null;
    if (again) refresh();
  }
}

function currentTicket() {
  const counter = state.overview?.counters.find((c) => c.id === counterId());
  return counter ? counter.current : null;
}

function renderOverview(overview) {
  const banner = $("closed-banner");
  banner.classList.toggle("hidden", overview.open);
  if (!overview.open) {
    const opens = opensText(overview.opens_at);
    banner.replaceChildren(`受付時間外です（発券停止中）${opens.ja ? "・次の受付開始 " + opens.ja : ""}`,
      el("span", { class: "en" }, `Closed: kiosks issue no tickets.${opens.en ? " Opens " + opens.en : ""}`));
  }
  $("queues").replaceChildren(...overview.queues.map((q) =>
    el("div", { class: "queue-card", "data-service": q.service },
      el("div", { class: "name" }, `${q.prefix} ${q.name_ja}`, el("span", { class: "en" }, q.name_en)),
      el("div", { class: "figures" }, "待ち ", el("strong", { class: "waiting-count" }, q.waiting), " 人",
        q.next_number ? `・次 ${q.next_number}` : "", q.wait_minutes ? `・約${q.wait_minutes}分` : "",
        el("span", { class: "en" }, `${q.waiting} waiting${q.next_number ? ", next " + q.next_number : ""} · issued ${q.issued_today}, served ${q.served_today}`)),
      el("button", { type: "button", class: "call-next", "data-service": q.service, disabled: q.waiting === 0 ? "" : null,
                     onclick: (e) => act(e.currentTarget, "POST", "/v1/counter/calls", { service: q.service, counter: counterId() }) },
        "次の方を呼ぶ", el("span", { class: "en" }, "Call next")))));
  const current = currentTicket();
  $("current-number").textContent = current ? current.number : "—";
  const service = current && state.config.services.find((s) => s.id === current.service);
  $("current-service").replaceChildren(...(service ? [service.name_ja, el("span", { class: "en" }, service.name_en)] : []));
  // Why the patron came and the kiosk's reference (e.g. a held migration), so the counter need not start over.
  const detail = [];
  if (current?.reason) detail.push(`理由 Reason: ${current.reason}`);
  if (current?.reference) detail.push(`参照 Ref: ${current.reference}`);
  $("current-detail").textContent = detail.join(" · ");
  for (const id of ["recall", "served", "no-show"]) $(id).disabled = !current;
}

function renderAlerts(alerts) {
  const list = $("alerts");
  if (!alerts.length) { list.replaceChildren(el("li", { class: "none" }, "ありません / None")); return; }
  list.replaceChildren(...alerts.map((a) => el("li", { class: a.acknowledged_at ? "done" : "open", "data-alert": a.id },
    el("span", {}, `${hhmm(a.created_at)} ${a.kiosk_id}`, el("span", { class: "en" }, a.reason + (a.ticket_number ? ` · ${a.ticket_number}` : ""))),
    a.acknowledged_at
      ? el("span", {}, `対応: ${a.acknowledged_by}`)
      : el("button", { type: "button", class: "accent", onclick: (e) => act(e.currentTarget, "POST", `/v1/counter/alerts/${a.id}/acknowledge`) },
        "対応する", el("span", { class: "en" }, "Take it")))));
}

function renderMigrations(requests) {
  const list = $("migrations");
  if (!requests.length) { list.replaceChildren(el("li", { class: "none" }, "ありません / None")); return; }
  list.replaceChildren(...requests.map((r) => el("li", { "data-reference": r.reference_code },
    el("span", {}, `${r.reference_code} ${r.card_number}`, el("span", { class: "en" }, `${r.patron_name} · ${hhmm(r.created_at)}`)),
    el("span", {},
      el("button", { type: "button", class: "good", onclick: (e) => act(e.currentTarget, "POST", `/v1/staff/migrations/${r.reference_code}/confirm`) }, "確定 Confirm"),
      " ",
      el("button", { type: "button", class: "bad", onclick: (e) => act(e.currentTarget, "POST", `/v1/staff/migrations/${r.reference_code}/reject`) }, "却下 Reject")))));
}

// A kiosk's renewal request: the record's and the card's address side by side when they differ; one click
// completes it (the card renewed from today, the address updated). The row of the ticket being served is marked.
function renderRenewals(requests, reference) {
  const list = $("renewals");
  if (!requests.length) { list.replaceChildren(el("li", { class: "none" }, "ありません / None")); return; }
  const status = { expired: "期限切れ Expired", renewable: "更新受付中 Renewable", valid: "有効 Valid" };
  list.replaceChildren(...requests.map((r) => el("li", { "data-reference": r.reference_code, class: r.reference_code === reference ? "serving" : "" },
    el("div", { class: "renewal-facts" },
      el("strong", {}, `${r.reference_code} ${r.card_number} ${r.patron_name}`),
      el("span", { class: "en" }, `${status[r.expiry_status] || r.expiry_status} · ${r.valid_until} · ${hhmm(r.created_at)} ${r.kiosk_id}`),
      r.address_changed
        ? el("div", { class: "address-change" }, "住所変更あり Address changed",
          el("div", { class: "address-old" }, `登録 On record: ${r.address_on_record || "（未登録 none）"}`),
          el("div", { class: "address-new" }, "カード Card: ", el("strong", {}, r.new_address)))
        : el("div", { class: "address-same" }, "住所変更なし No address change")),
    el("span", { class: "renewal-actions" },
      el("button", { type: "button", class: "good", onclick: (e) => act(e.currentTarget, "POST", `/v1/staff/renewals/${r.reference_code}/complete`, undefined, renewed) }, "更新を確定 Complete"),
      " ",
      el("button", { type: "button", class: "bad", onclick: (e) => act(e.currentTarget, "POST", `/v1/staff/renewals/${r.reference_code}/cancel`) }, "取消 Cancel")))));
}

// What to tell the patron once the renewal is complete: the new expiry date.
function renewed(done) {
  const box = $("renewal-done");
  box.replaceChildren(`${done.reference_code} ${done.card_number}: 更新しました（有効期限 ${done.valid_until}）${done.address_changed ? "・住所を変更しました" : ""}`,
    el("span", { class: "en" }, `Renewed until ${done.valid_until}${done.address_changed ? "; address updated" : ""}`));
  box.classList.remove("hidden");
}

// A kiosk's registration application: what the My Number card holds and the contact the patron added, to check
// against the card face to face. One click completes it (the new library card's number is optional); the server
// then forgets the personal data. A number being typed survives a redraw.
const SEX = { 1: "男 Male", 2: "女 Female", 9: "— Not stated" };
function renderApplications(applications, reference) {
  const list = $("applications");
  const typed = {};
  for (const input of list.querySelectorAll("input.card-number")) typed[input.dataset.reference] = input.value;
  if (!applications.length) { list.replaceChildren(el("li", { class: "none" }, "ありません / None")); return; }
  list.replaceChildren(...applications.map((a) => {
    const number = el("input", { type: "text", class: "card-number", inputmode: "numeric", maxlength: "10",
      autocomplete: "off", "data-reference": a.reference_code, "aria-label": "新しい利用者カード番号（任意） New library card number (optional)",
      placeholder: "利用者カード番号（任意） Card no. (optional)" });
    number.value = typed[a.reference_code] || "";
    return el("li", { "data-reference": a.reference_code, class: a.reference_code === reference ? "serving" : "" },
      el("div", { class: "renewal-facts application-facts" },
        el("strong", {}, `${a.reference_code} ${a.name}`, a.name_kana ? ` (${a.name_kana})` : ""),
        el("span", { class: "application-birth" }, `生年月日 Born ${a.birth_date} · ${SEX[a.sex] || a.sex}`),
        el("span", { class: "application-address" }, `住所 Address: ${a.address}`),
        el("span", { class: "application-contact" }, [a.phone ? `☎ ${a.phone}` : null, a.email ? `✉ ${a.email}` : null].filter(Boolean).join(" · ")),
        el("span", { class: "en" }, `${hhmm(a.created_at)} ${a.kiosk_id}`)),
      el("span", { class: "renewal-actions" },
        number,
        el("button", { type: "button", class: "good", onclick: (e) => act(e.currentTarget, "POST",
          `/v1/staff/registration-applications/${a.reference_code}/complete`,
          { library_card_number: number.value.trim() || null }, registered) }, "登録を確定 Complete"),
        " ",
        el("button", { type: "button", class: "bad", onclick: (e) => act(e.currentTarget, "POST",
          `/v1/staff/registration-applications/${a.reference_code}/withdraw`) }, "取下げ Withdraw")));
  }));
}

// Once completed: the reference and the card number staff entered, nothing personal (the server forgot it).
function registered(done) {
  const box = $("application-done");
  const number = done.library_card_number ? `（利用者カード ${done.library_card_number}）` : "";
  box.replaceChildren(`${done.reference_code}: 登録を完了しました${number}`,
    el("span", { class: "en" }, `Registration completed${done.library_card_number ? " (card " + done.library_card_number + ")" : ""}`));
  box.classList.remove("hidden");
}

// One click, one request: the button stays disabled until the answer (a double click calls once).
async function act(button, method, path, body, then) {
  $("action-error").classList.add("hidden");
  button.disabled = true;
  try {
    const answer = await api(method, path, body);
    if (then) then(answer);
  } catch (error) {
    showError($("action-error"), error);
  } finally {
    button.disabled = false;
    await refresh();
  }
}

function onCurrent(action) {
  return (event) => {
    const current = currentTicket();
    if (current) act(event.currentTarget, "POST", `/v1/counter/tickets/${current.ticket_id}/${action}`, action === "recall" ? {} : undefined);
  };
}

$("counter-select").addEventListener("change", () => { localStorage.setItem("counterId", counterId()); refresh(); });
$("recall").addEventListener("click", onCurrent("recall"));
$("served").addEventListener("click", onCurrent("served"));
$("no-show").addEventListener("click", onCurrent("no-show"));
// Migration and renewal requests and registration applications raise no queue events: look again now and then.
setInterval(() => { if (staff.token && state.config) refresh(); }, 10000);
staffPage({ main: "console", start, stop });
