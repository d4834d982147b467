// The staff pages' shared part (counter console, fleet, statistics): the sign-in form (staff id + PIN) and
// the log-out button, the session token, requests to the API with it, and the error box. Loaded after
// common.js and before the page's script, which calls staffPage(). The token lives in sessionStorage (gone
// when the tab closes, shared by the staff pages of one tab); a 401 from the API signs the page out. The
// log-out button ends the session on the server too (DELETE /v1/staff/sessions), so the token is dead.
"use strict";

const SESSIONS = "/v1/staff/sessions";
const staff = { token: sessionStorage.getItem("staffToken"), page: null };

class RequestFailed extends Error {
  constructor(status, body) {
    super(body?.error?.code || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// A request with the staff token; the response itself (the statistics page downloads a CSV from it).
async function apiResponse(method, path, body) {
  const headers = { Accept: "application/json" };
  if (staff.token) headers.Authorization = `Bearer ${staff.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    // A wrong PIN is the sign-in's own answer; anywhere else the session has ended or was revoked.
    if (response.status === 401 && path !== SESSIONS) logOut();
    throw new RequestFailed(response.status, data);
  }
  return response;
}

// A request's JSON answer (null when it has none).
async function api(method, path, body) {
  return (await apiResponse(method, path, body)).json().catch(() => null);
}

// The staff pages' error box: the server's bilingual message, or "could not be reached" without one.
function showError(box, error) {
  const e = error?.body?.error;
  box.replaceChildren(e ? e.message_ja : "通信できませんでした",
                      el("span", { class: "en" }, e ? e.message_en : "The server could not be reached"));
  box.classList.remove("hidden");
}

function signInForm() {
  return el("form", { id: "login-form", class: "login-box", autocomplete: "off", onsubmit: logIn },
    el("h1", {}, "職員ログイン", el("span", { class: "en" }, "Staff log in")),
    el("label", {}, "職員ID ", el("span", { class: "inline-en" }, "Staff ID"),
       el("input", { id: "staff-id", name: "staff_id", required: "" })),
    el("label", {}, "暗証番号 ", el("span", { class: "inline-en" }, "PIN"),
       el("input", { id: "pin", name: "pin", type: "password", inputmode: "numeric", required: "" })),
    el("div", { id: "login-error", class: "error-box hidden", role: "alert" }),
    el("button", { id: "login-button", type: "submit" }, "ログイン ", el("span", { class: "inline-en" }, "Log in")));
}

function logOutButton() {
  return el("button", { id: "logout", class: "secondary", type: "button", onclick: signOut },
    "ログアウト ", el("span", { class: "inline-en" }, "Log out"));
}

// Makes this a staff page: the sign-in form goes into #login, the log-out button at the end of the header's
// #session-bar. `main` is the id of the page's own content, shown once signed in; `start` loads it (a failure
// signs out again); `stop` ends the page's timers and streams on signing out.
function staffPage({ main, start, stop = () => {} }) {
  staff.page = { main, start, stop };
  $("login").replaceChildren(signInForm());
  $("session-bar").append(logOutButton());
  if (staff.token) enter().catch(logOut);
}

async function enter() {
  await staff.page.start();
  $("login").classList.add("hidden");
  $(staff.page.main).classList.remove("hidden");
  $("session-bar").classList.remove("hidden");
}

async function logIn(event) {
  event.preventDefault();
  $("login-error").classList.add("hidden");
  $("login-button").disabled = true;
  try {
    const session = await api("POST", SESSIONS, { staff_id: $("staff-id").value.trim(), pin: $("pin").value });
    staff.token = session.token;
    sessionStorage.setItem("staffToken", session.token);
    $("pin").value = "";
    await enter();
  } catch (error) {
    showError($("login-error"), error);
  } finally {
    $("login-button").disabled = false;
  }
}

// The log-out button: the server ends the session (every process refuses the token from then on), then the
// page forgets it. A 401 means it had ended already; if the server cannot be reached the page still forgets
// the token, which then lapses at its expiry.
async function signOut() {
  $("logout").disabled = true;
  try {
    if (staff.token) await api("DELETE", SESSIONS);
  } catch (error) {
    console.warn("log out:", error.message);
  } finally {
    $("logout").disabled = false;
    logOut();
  }
}

// Forget the token and show the sign-in form (also when the server refused the token).
function logOut() {
  staff.token = null;
  sessionStorage.removeItem("staffToken");
  staff.page.stop();
  $(staff.page.main).classList.add("hidden");
  $("session-bar").classList.add("hidden");
  $("login").classList.remove("hidden");
}
