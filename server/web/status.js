// Ticket status page (the QR code's target): number, position and estimated wait, updated live.
"use strict";

const token = decodeURIComponent(location.pathname.split("/").pop());

const STATES = {
  waiting: ["順番をお待ちください", "Please wait for your number to be called", ""],
  served: ["ご利用ありがとうございました", "Thank you for visiting", "done"],
  no_show: ["呼び出し時にお越しがありませんでした。係員にお声がけください", "You were called but not present. Please ask a member of staff", "gone"],
  cancelled: ["この整理券は取り消されました", "This ticket was cancelled", "gone"],
};

function render(view) {
  document.getElementById("unknown").classList.add("hidden");
  document.getElementById("ticket").classList.remove("hidden");
  document.getElementById("number").textContent = view.number;
  document.getElementById("service").replaceChildren(view.service_ja, el("span", { class: "en" }, view.service_en));
  const state = document.getElementById("state");
  if (view.status === "called") {
    state.className = "state called";
    state.replaceChildren("お呼びしています", el("br"), `${view.counter_ja}へお越しください`,
      el("span", { class: "en" }, `Now calling — please go to ${view.counter_en}`));
  } else if (!view.is_today && view.status === "waiting") {
    state.className = "state gone";
    state.replaceChildren(`この整理券は ${view.day} のものです`, el("span", { class: "en" }, `This ticket was for ${view.day}`));
  } else {
    const [ja, en, cls] = STATES[view.status];
    state.className = `state ${cls}`;
    state.replaceChildren(ja, el("span", { class: "en" }, en));
  }
  const waiting = view.status === "waiting" && view.is_today;
  document.getElementById("ahead-row").classList.toggle("hidden", !waiting);
  document.getElementById("wait-row").classList.toggle("hidden", !waiting);
  document.getElementById("ahead").replaceChildren(`${view.people_ahead}人`, el("span", { class: "en" }, view.people_ahead === 1 ? "1 person" : `${view.people_ahead} people`));
  document.getElementById("wait").replaceChildren(
    ...(view.wait_minutes === null
      ? ["確認中", el("span", { class: "en" }, "not known yet")]
      : [`約${view.wait_minutes}分`, el("span", { class: "en" }, `about ${view.wait_minutes} min`)]));
  document.getElementById("now-calling").textContent = view.now_calling || "—";
  document.getElementById("issued").textContent = hhmm(view.issued_at);
}

fetch(`/v1/tickets/status/${encodeURIComponent(token)}`).then((response) => {
  if (!response.ok) {
    document.getElementById("unknown").classList.remove("hidden");
    return;
  }
  response.json().then(render);
  live(`/v1/tickets/status/${encodeURIComponent(token)}/events`, "status", render);
});
