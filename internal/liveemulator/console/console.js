// The console reads the admin endpoint's JSON, the same that tests read, and writes every value
// with textContent: callbacks and requests carry text that anyone may have chosen.
"use strict";

const refreshEvery = 2000;
const rowsShown = 500; // the newest; the logs keep up to 10,000, which the JSON endpoints give whole
let lastJournal = [];
let lastAccounts = "";

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : el("td", cell));
  return tr;
}

function td(text, className) { return el("td", text, className); }

function time(value) { return new Date(value).toLocaleTimeString(); }

function millis(ns) { return (ns / 1e6).toFixed(1) + " ms"; }

async function call(method, path, body) {
  const response = await fetch(path, { method, body, headers: body ? { "Content-Type": "application/json" } : {} });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try { message = JSON.parse(text).error_msg || text; } catch (_) { /* not JSON */ }
    throw new Error(response.status + " " + message);
  }
  return text ? JSON.parse(text) : null;
}

// renderProjects fills the recording form's project list, only when the accounts changed: an open
// list is not rebuilt under the user.
function renderProjects(accounts) {
  const text = JSON.stringify(accounts);
  if (text === lastAccounts) return;
  lastAccounts = text;
  const select = document.getElementById("record-project");
  const chosen = select.value;
  select.replaceChildren();
  for (const account of accounts) {
    for (const project of account.projects) {
      const option = el("option", account.domain_name + " / " + project.region);
      option.value = project.id;
      select.appendChild(option);
    }
  }
  if (chosen) select.value = chosen;
}

// newest is the newest rowsShown entries, newest first, and a row that says how many are left out.
function newest(entries, body, columns) {
  const shown = entries.slice(-rowsShown).reverse();
  if (entries.length > shown.length) {
    const note = el("td", (entries.length - shown.length) + " older entries not shown (the admin endpoint's JSON has them all)", "muted");
    note.colSpan = columns;
    body.appendChild(row([note]));
  }
  return shown;
}

function renderAccounts(accounts, callbacks) {
  const holder = document.getElementById("accounts");
  holder.replaceChildren();
  renderProjects(accounts);
  for (const account of accounts) {
    holder.appendChild(el("h3", "Account " + account.domain_name + " (access key " + account.access_key + ")"));
    for (const project of account.projects) {
      const mine = callbacks.filter((cb) => cb.project_id === project.id);
      holder.appendChild(el("div", project.region + " — project " + project.id + " — " + mine.length + " callback(s)", "muted"));
      if (mine.length === 0) continue;
      const table = el("table");
      table.className = "callbacks";
      table.appendChild(row(["id", "publish_domain", "app", "notify_callback_url", "events", "sign_type", "created", "updated"].map((h) => el("th", h))));
      for (const cb of mine) {
        table.appendChild(row([cb.id, cb.publish_domain, cb.app, cb.notify_callback_url || "", (cb.notify_event_subscription || []).join(", "),
          cb.sign_type, cb.create_time, cb.update_time]));
      }
      holder.appendChild(table);
    }
  }
}

function renderDeliveries(deliveries) {
  const body = document.querySelector("#deliveries tbody");
  body.replaceChildren();
  for (const d of newest(deliveries, body, 8)) {
    const verdict = d.signature === "verified" ? "ok" : d.signature === "unsigned" ? "muted" : "bad";
    body.appendChild(row([time(d.time), d.event_type, d.publish_domain + " / " + d.app + " / " + d.stream, d.callback_id, d.url,
      td(d.error ? (d.status || "") + " " + d.error : d.status, d.error ? "bad" : "ok"), millis(d.latency_ns), td(d.signature, verdict)]));
  }
}

function renderJournal() {
  const method = document.getElementById("journal-method").value;
  const status = document.getElementById("journal-status").value;
  const body = document.querySelector("#journal tbody");
  body.replaceChildren();
  const matching = lastJournal.filter((entry) => (!method || entry.method === method) &&
    (status === "0" ? entry.status === 0 : !status || String(entry.status)[0] === status));
  for (const entry of newest(matching, body, 9)) {
    body.appendChild(row([time(entry.time), entry.account || (entry.access_key ? "(" + entry.access_key + ")" : ""), entry.method, entry.path + (entry.query ? "?" + entry.query : ""),
      entry.operation || "", td(entry.status || "no answer", entry.status >= 200 && entry.status < 400 ? "ok" : "bad"),
      entry.error_code || "", entry.reason || "", millis(entry.latency_ns)]));
  }
}

// rendered holds what each section last showed: a section is rebuilt only when its data changed, so
// that a selection (an id to copy) survives the refreshes.
const rendered = {};
function changed(name, ...data) {
  const text = JSON.stringify(data);
  if (rendered[name] === text) return false;
  rendered[name] = text;
  return true;
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const [accounts, callbacks, deliveries, journal, faults] = await Promise.all([
      call("GET", "accounts"), call("GET", "callbacks"), call("GET", "deliveries"), call("GET", "journal"), call("GET", "faults")]);
    if (changed("accounts", accounts, callbacks)) renderAccounts(accounts, callbacks);
    if (changed("deliveries", deliveries)) renderDeliveries(deliveries);
    if (changed("faults", faults)) renderFaults(faults);
    if (changed("journal", journal)) {
      lastJournal = journal;
      renderJournal();
    }
    document.querySelector("main").classList.remove("stale");
    status.textContent = "updated " + new Date().toLocaleTimeString();
  } catch (error) {
    document.querySelector("main").classList.add("stale");
    status.textContent = "cannot read the emulator (" + error.message + "): the page shows what it last read";
  }
}

function renderFaults(faults) {
  const list = document.getElementById("faults");
  list.replaceChildren();
  if (faults.length === 0) list.appendChild(el("li", "none", "muted"));
  for (const fault of faults) {
    list.appendChild(el("li", fault.fault + (fault.remaining > 0 ? " (" + fault.remaining + " more)" : " (every request)")));
  }
}

function submitting(formId, outputId, action) {
  const form = document.getElementById(formId);
  form.addEventListener("invalid", () => { document.getElementById(outputId).textContent = ""; }, true);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const output = document.getElementById(outputId);
    output.textContent = "…";
    try {
      output.textContent = await action(new FormData(event.target));
    } catch (error) {
      output.textContent = error.message;
    }
    refresh();
  });
}

submitting("record-form", "record-result", async (form) => {
  if (!form.get("project_id")) throw new Error("no project: the accounts are not loaded yet");
  const recording = { project_id: form.get("project_id"), publish_domain: form.get("publish_domain"), app: form.get("app"),
    stream: form.get("stream"), files: Number(form.get("files") || 1) };
  if (form.get("fail_with")) recording.fail_with = form.get("fail_with");
  const delivered = await call("POST", "recordings", JSON.stringify(recording));
  return delivered.length + " notification(s) sent";
});

submitting("fault-form", "fault-result", async (form) => {
  await call("POST", "faults", form.get("fault"));
  return "set: " + form.get("fault");
});

document.getElementById("clear-faults").addEventListener("click", async () => {
  const output = document.getElementById("fault-result");
  try {
    await call("DELETE", "faults");
    output.textContent = "every fault and the throttle cleared";
  } catch (error) {
    output.textContent = error.message;
  }
});

document.getElementById("reset").addEventListener("click", async () => {
  if (!window.confirm("Reset the emulator? Every project's callbacks, the deliveries and the journal are removed, and the faults, throttle and clock go back to how it started.")) return;
  try {
    await call("POST", "reset");
  } catch (error) {
    document.getElementById("status").textContent = "reset failed: " + error.message;
  }
  refresh();
});

document.getElementById("journal-method").addEventListener("change", renderJournal);
document.getElementById("journal-status").addEventListener("change", renderJournal);
// One refresh at a time: the next is scheduled when one ends, and only while the page is visible.
let timer = null;
let refreshing = false;
async function refreshLoop() {
  clearTimeout(timer);
  timer = null;
  if (document.hidden || refreshing) return;
  refreshing = true;
  try {
    await refresh();
  } finally {
    refreshing = false;
  }
  if (!document.hidden) timer = setTimeout(refreshLoop, refreshEvery);
}
document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshLoop(); });
refreshLoop();
