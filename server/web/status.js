// Ticket status page (the QR code's target): number, position and estimated wait, updated live.
"use strict";

const token = decodeURIComponent(location.pathname.split("/").pop());

const STATES = {
  waiting: ["順番をお待ちください", "Please wait for your number to be called", ""],
  served: ["ご利用ありがとうございました", "Thank you for visiting", "done"],
  no_show: ["呼び出し時にお越しがありませんでした。係員にお声がけください", "You were called but not present. Please ask a member of staff", "gone"],
  cancelled: ["この整理券は取り消されました", "This ticket was cancelled", "gone"],
};

// Being called: the page turns into a big instruction (whenever the ticket is called), and when the call
// happens while the page is open (or the ticket is called again) it also chimes, vibrates where the phone
// can, and shows a notification when the patron allowed them. Notifications need a secure context
// (https, as SERVER_PUBLIC_BASE_URL is in production): on plain http the page says so and keeps to
// the rest. No reload: all of this comes from the status stream.
let lastCall;  // the call last shown ("" for none); undefined until the first view
let audioContext = null;

function chime() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audioContext = audioContext || new Context();  // created on the patron's tap when they asked for alerts
  if (audioContext.state === "suspended") audioContext.resume().catch(() => {});
  // "ピンポーン" as on the lobby display: E5 then C5, each dying away.
  [[659.25, 0], [523.25, 0.42]].forEach(([frequency, delay]) => {
    const start = audioContext.currentTime + 0.05 + delay;
    const tone = audioContext.createOscillator();
    const gain = audioContext.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.5, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 1.2);
    tone.connect(gain).connect(audioContext.destination);
    tone.start(start);
    tone.stop(start + 1.25);
  });
}

function notifyCalled(view) {
  chime();
  if (typeof navigator.vibrate === "function") navigator.vibrate([400, 150, 400, 150, 800]);
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      new Notification(`呼ばれました / You are being called — ${view.number}`, {
        body: `${view.counter_ja}へお越しください / Please go to ${view.counter_en}`, tag: "ticket-call",
      });
    } catch (error) {
      // Android's Chrome shows notifications only through a service worker; the page itself still changed.
    }
  }
}

function renderCalled(view) {
  const called = view.status === "called";
  document.getElementById("called").classList.toggle("hidden", !called);
  document.getElementById("alerts").classList.toggle("hidden", view.status !== "waiting" || !view.is_today);
  const call = called ? `${view.number}@${view.called_at}@${view.counter}` : "";
  if (lastCall !== undefined && called && call !== lastCall) notifyCalled(view);
  lastCall = call;
  if (!called) return;
  const place = view.place_ja ? `${view.place_ja} ` : "";
  document.getElementById("called-where").replaceChildren(`${place}${view.counter_ja}へお越しください`,
    el("span", { class: "en" }, `Go to ${view.counter_en}${view.place_en ? ` at ${view.place_en}` : ""}`));
}

function alertsState(ja, en) {
  document.getElementById("alerts-state").replaceChildren(ja, el("span", { class: "en" }, en));
}

document.getElementById("alerts-enable").addEventListener("click", () => {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (Context && !audioContext) audioContext = new Context();  // a tap lets the page sound later
  if (audioContext) audioContext.resume().catch(() => {});
  if (!window.isSecureContext || !("Notification" in window)) {
    alertsState("この画面では通知を使えません（https の画面でのみ使えます）。呼ばれたら、画面の表示と音・振動でお知らせします。",
      "Notifications are not available on this page (they need https). When you are called, this page changes, chimes and vibrates.");
    return;
  }
  // Older Safari answers through a callback and returns nothing: both forms end in the promise.
  new Promise((resolve) => Promise.resolve(Notification.requestPermission(resolve)).then(resolve)).then((answer) => {
    if (answer === "granted") {
      alertsState("呼ばれたら、音と通知でお知らせします。この画面は開いたままにしてください。",
        "When you are called, you will hear a chime and get a notification. Keep this page open.");
    } else {
      alertsState("通知は許可されていません。呼ばれたら、画面の表示と音・振動でお知らせします。",
        "Notifications are not allowed. When you are called, this page changes, chimes and vibrates.");
    }
  });
});

function render(view) {
  renderCalled(view);
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
