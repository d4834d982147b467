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
  announceNewCalls(board.calling);
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

// Spoken calls. Every call that appears on the board (a number called, or called again) is announced
// once, oldest first, one after the other; what the board already shows when the page loads is not.
// The page shows the number at once: the audio plays when it has arrived (the server synthesises it).
// A lobby display runs Chromium with --autoplay-policy=no-user-gesture-required (docs/operations.md);
// a browser that refuses to play without a tap gets a button that turns sound on.
const callAudio = document.getElementById("call-audio");
const soundButton = document.getElementById("sound-enable");
let heardCalls = null;
const toAnnounce = [];
let announcing = false;

function announceNewCalls(calls) {
  const keys = calls.map((call) => `${call.number}@${call.called_at}`);
  if (heardCalls === null) {
    heardCalls = new Set(keys);
    return;
  }
  calls.slice().reverse().forEach((call) => {
    const key = `${call.number}@${call.called_at}`;
    if (!heardCalls.has(key) && call.audio) toAnnounce.push(call.audio);
  });
  heardCalls = new Set(keys);
  playNextCall();
}

function playNextCall() {
  if (announcing || toAnnounce.length === 0) return;
  announcing = true;
  callAudio.src = toAnnounce.shift();
  startPlaying();
}

function startPlaying() {
  callAudio.play().then(() => soundButton.classList.add("hidden")).catch((error) => {
    // Refused without a tap: wait for one, then play this call and the rest. A call that cannot be
    // loaded ends in the element's "error" event instead, handled once below.
    if (error.name === "NotAllowedError") soundButton.classList.remove("hidden");
  });
}

function finishedCall() {
  announcing = false;
  playNextCall();
}

callAudio.addEventListener("ended", finishedCall);
callAudio.addEventListener("error", finishedCall);  // e.g. the call was served before its audio was asked for
soundButton.addEventListener("click", () => {
  soundButton.classList.add("hidden");
  if (announcing) startPlaying();
});

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
