// Lobby display: renders the board snapshot pushed by /v1/lobby/events (no reload, no polling).
"use strict";

let lastTop = null;

function renderBoard(board) {
  const calling = document.getElementById("calling");
  calling.replaceChildren(...board.calling.map((call, index) => {
    const node = el("div", { class: "call", "data-number": call.number, "data-counter": call.counter },
      el("div", {},
        el("div", { class: "number" }, call.number),
        el("div", { class: "service" }, call.service_ja, " / ", call.service_en)),
      el("div", { class: "arrow" }, "→"),
      el("div", { class: "counter" }, call.counter_ja, el("span", { class: "en" }, call.counter_en)));
    const key = `${call.number}@${call.called_at}`;
    if (index === 0 && key !== lastTop) { node.classList.add("fresh"); lastTop = key; }
    return node;
  }));
  // Room for at least three calls, so one call is not a giant card.
  calling.style.setProperty("--rows", Math.max(3, board.calling.length));
  document.getElementById("calling-empty").classList.toggle("hidden", board.calling.length > 0);

  document.getElementById("recent").replaceChildren(...board.recent.map((call) =>
    el("li", { "data-number": call.number },
      el("span", { class: "number" }, call.number),
      el("span", { class: "counter" }, call.counter_ja, el("span", { class: "en" }, call.counter_en)))));

  document.getElementById("waiting").replaceChildren(...board.waiting.map((q) =>
    el("div", { class: "queue", "data-service": q.service },
      el("div", { class: "name" }, q.name_ja, el("span", { class: "en" }, q.name_en)),
      el("div", { class: "figures" },
        `待ち ${q.waiting}人 `, el("small", {}, `${q.waiting} waiting`),
        q.wait_minutes ? ` ・ 約${q.wait_minutes}分 ` : "",
        q.wait_minutes ? el("small", {}, `about ${q.wait_minutes} min`) : ""))));

  const closed = document.getElementById("closed");
  closed.classList.toggle("hidden", board.open);
  if (!board.open) {
    const opens = opensText(board.opens_at);
    document.getElementById("opens").replaceChildren(
      ...(board.opens_at ? ["次の受付開始 ", opens.ja, el("span", { class: "en" }, `Opens ${opens.en}`)] : []));
  }
}

// The server ends each stream after a while and the browser reconnects at once; only a
// reconnection that takes more than a few seconds is shown.
let offlineTimer = null;
const source = live("/v1/lobby/events", "board", (board) => {
  clearTimeout(offlineTimer);
  document.getElementById("offline").classList.add("hidden");
  renderBoard(board);
});
source.addEventListener("error", () => {
  clearTimeout(offlineTimer);
  offlineTimer = setTimeout(() => document.getElementById("offline").classList.remove("hidden"), 4000);
});

function tick() { document.getElementById("clock").textContent = clockText(); }
tick();
setInterval(tick, 1000);
