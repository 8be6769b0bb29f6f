// The conflict review page. Plain browser JavaScript, no framework and nothing loaded from
// elsewhere. Every value from a store (keys, values, node names, notes, error messages) reaches the
// page only as text: elements are built with createElement and filled with textContent, never
// innerHTML, and the server's Content-Security-Policy allows no inline script besides.

const TOKEN_PREFIX = "replistore.token:";
const WHO_KEY = "replistore.who";
const PAGE_SIZE = 100;

const $ = (id) => document.getElementById(id);

/** el("td", {className: "key"}, "text", childNode): children are text or nodes, never HTML. */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node[name] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function tokenOf(storeId) {
  return sessionStorage.getItem(TOKEN_PREFIX + storeId) ?? undefined;
}

function setToken(storeId, token) {
  if (token) sessionStorage.setItem(TOKEN_PREFIX + storeId, token);
  else sessionStorage.removeItem(TOKEN_PREFIX + storeId);
}

/** Calls the review API; resolves to {status, body, node} whatever the status. */
async function api(path, { storeId, method = "GET", body } = {}) {
  const headers = { "X-Replistore-Review": "1" };
  const token = storeId === undefined ? undefined : tokenOf(storeId);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    return {
      status: 0,
      body: { error: "network", message: `the review server did not answer: ${err.message}` },
    };
  }
  let parsed;
  try {
    parsed = await res.json();
  } catch {
    parsed = { error: `http_${res.status}`, message: `HTTP ${res.status}` };
  }
  return { status: res.status, body: parsed, node: res.headers.get("X-Replistore-Node") ?? "" };
}

const storePath = (storeId) => `/api/stores/${encodeURIComponent(storeId)}`;
const errorText = (res) =>
  res.body && typeof res.body.message === "string" ? res.body.message : `HTTP ${res.status}`;

/** HLC version "wall:logical:node": the wall clock part as a date. */
function versionTime(version) {
  const wall = Number(String(version).split(":", 1)[0]);
  return Number.isFinite(wall) && wall > 0 ? new Date(wall) : undefined;
}

function timeText(date) {
  if (!date) return "-";
  return `${date.toLocaleString()} (${date.toISOString()})`;
}

function age(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

function valueNode(v) {
  if (!v.valueKnown) return el("p", { className: "muted" }, "(value not kept by any node)");
  if (v.deleted) return el("p", { className: "muted" }, "(deleted)");
  if (v.value !== null && v.value !== undefined) return el("pre", { className: "value" }, v.value);
  return el("pre", { className: "value" }, `base64: ${v.valueBase64 ?? ""}`);
}

const KIND_TEXT = { partial_write: "partial write", concurrent: "concurrent writes" };
const ROLE_TEXT = {
  partial: "the partial write",
  replaced: "the version it replaced",
  concurrent: "a concurrent write",
};

// ---- the list of stores and their pending conflicts

const stores = new Map();

async function loadStores() {
  const target = $("stores");
  const res = await api("/api/stores");
  if (res.status !== 200) {
    target.replaceChildren(el("p", { className: "error" }, `Cannot list stores: ${errorText(res)}`));
    return;
  }
  $("via").textContent = res.body.reachedVia ?? "";
  stores.clear();
  const sections = [];
  for (const store of res.body.stores) {
    stores.set(store.id, store);
    sections.push(renderStoreShell(store));
  }
  if (sections.length === 0) sections.push(el("p", { className: "muted" }, "No stores."));
  target.replaceChildren(...sections);
  await Promise.all(res.body.stores.map((store) => loadConflicts(store.id)));
}

function renderStoreShell(store) {
  const facts = [store.mode, store.phase, store.ready ? `${store.ready} ready` : undefined].filter(Boolean);
  return el(
    "section",
    { className: "store", dataset: { store: store.id } },
    el(
      "header",
      {},
      el("h2", {}, store.id),
      el("span", { className: "muted" }, facts.join(" · ")),
      el("span", { className: "count badge" }, "…"),
      el(
        "button",
        { type: "button", className: "token-button", onclick: () => showTokenForm(store.id) },
        "Token",
      ),
    ),
    el("div", { className: "body" }, el("p", { className: "muted" }, "Loading conflicts…")),
  );
}

function storeSection(storeId) {
  for (const section of document.querySelectorAll("section.store")) {
    if (section.dataset.store === storeId) return section;
  }
  return undefined;
}

async function loadConflicts(storeId, cursor) {
  const section = storeSection(storeId);
  if (!section) return;
  const body = section.querySelector(".body");
  const count = section.querySelector(".count");
  const query = new URLSearchParams({ status: "pending", limit: String(PAGE_SIZE) });
  if (cursor) query.set("cursor", cursor);
  const res = await api(`${storePath(storeId)}/conflicts?${query}`, { storeId });
  if (res.status === 401) {
    count.textContent = "token needed";
    showTokenForm(storeId, tokenOf(storeId) ? "That token was refused." : undefined);
    return;
  }
  if (res.status !== 200) {
    count.textContent = "unavailable";
    body.replaceChildren(el("p", { className: "error" }, errorText(res)));
    return;
  }
  const items = res.body.items ?? [];
  count.textContent = `${items.length}${res.body.next ? "+" : ""} pending`;
  count.classList.toggle("pending", items.length > 0);
  if (items.length === 0) {
    body.replaceChildren(el("p", { className: "muted" }, "No pending conflicts."));
    return;
  }
  const rows = items.map((c) =>
    el(
      "tr",
      { className: "conflict", dataset: { conflict: c.id }, onclick: () => openConflict(storeId, c.id) },
      el("td", { className: "key" }, c.key),
      el("td", {}, KIND_TEXT[c.kind] ?? c.kind),
      el("td", { title: c.detectedAt }, age(c.detectedAt)),
      el("td", {}, String(c.versions.length)),
      el("td", {}, el("button", { type: "button", className: "open" }, "Review")),
    ),
  );
  const table = el(
    "table",
    {},
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Key"),
        el("th", {}, "Kind"),
        el("th", {}, "Detected"),
        el("th", {}, "Versions"),
        el("th", {}),
      ),
    ),
    el("tbody", {}, rows),
  );
  const more = res.body.next
    ? el("button", { type: "button", onclick: () => loadConflicts(storeId, res.body.next) }, "Next page")
    : undefined;
  body.replaceChildren(table, more ?? "");
}

function showTokenForm(storeId, problem) {
  const section = storeSection(storeId);
  if (!section) return;
  const store = stores.get(storeId) ?? {};
  const input = el("input", {
    type: "password",
    className: "token-input",
    placeholder: "the store's admin token",
    autocomplete: "off",
  });
  const save = () => {
    setToken(storeId, input.value.trim());
    loadConflicts(storeId);
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
  });
  section.querySelector(".body").replaceChildren(
    el(
      "div",
      { className: "token-form" },
      el("span", {}, "This store needs its token."),
      problem ? el("span", { className: "error" }, problem) : "",
      input,
      el("button", { type: "button", className: "primary token-save", onclick: save }, "Use token"),
      tokenOf(storeId)
        ? el(
            "button",
            {
              type: "button",
              onclick: () => {
                setToken(storeId);
                loadConflicts(storeId);
              },
            },
            "Forget",
          )
        : "",
    ),
    store.tokenHint ? el("p", { className: "muted mono" }, store.tokenHint) : "",
    el(
      "p",
      { className: "muted" },
      "It is kept in this tab only (sessionStorage) and sent to the store with each request.",
    ),
  );
  input.focus();
}

// ---- one conflict

async function openConflict(storeId, id) {
  const detail = $("detail");
  detail.hidden = false;
  detail.replaceChildren(el("p", { className: "muted" }, "Loading…"));
  const res = await api(`${storePath(storeId)}/conflicts/${encodeURIComponent(id)}`, { storeId });
  if (res.status !== 200) {
    detail.replaceChildren(el("p", { className: "error" }, errorText(res)));
    return;
  }
  renderConflict(storeId, res.body, res.node);
  detail.scrollIntoView({ block: "start" });
}

function renderConflict(storeId, c, node, notice) {
  const detail = $("detail");
  detail.dataset.conflict = c.id;
  const meta = el(
    "dl",
    { className: "meta" },
    el("dt", {}, "Store"),
    el("dd", {}, storeId),
    el("dt", {}, "Key"),
    el("dd", { className: "mono key" }, c.key),
    el("dt", {}, "Kind"),
    el("dd", {}, KIND_TEXT[c.kind] ?? c.kind),
    el("dt", {}, "Detected"),
    el("dd", {}, `${timeText(new Date(c.detectedAt))} by ${c.detectedBy}`),
    c.ownersReached ? [el("dt", {}, "Stored on"), el("dd", {}, c.ownersReached.join(", ") || "-")] : "",
    c.ownersFailed ? [el("dt", {}, "Missed by"), el("dd", {}, c.ownersFailed.join(", ") || "-")] : "",
    el("dt", {}, "Status"),
    el("dd", { className: "status" }, c.status),
    el("dt", {}, "Conflict id"),
    el("dd", { className: "mono" }, c.id),
    node ? [el("dt", {}, "Answered by"), el("dd", { className: "answered-by" }, node)] : "",
  );
  const cards = c.versions.map((v, i) =>
    el(
      "article",
      { className: `version${v.applied ? " applied" : ""}`, dataset: { version: v.version } },
      el(
        "h3",
        {},
        `#${i + 1}`,
        el("span", { className: "role" }, ROLE_TEXT[v.role] ?? v.role),
        v.applied ? el("span", { className: "badge applied" }, "applied now") : "",
      ),
      valueNode(v),
      el(
        "dl",
        { className: "meta" },
        el("dt", {}, "Time"),
        el("dd", { className: "time" }, timeText(versionTime(v.version))),
        el("dt", {}, "Origin"),
        el("dd", { className: "origin" }, v.origin),
        el("dt", {}, "Kind"),
        el("dd", { className: "kind" }, `${KIND_TEXT[c.kind] ?? c.kind}: ${v.role}`),
        el("dt", {}, "Version"),
        el("dd", { className: "mono" }, v.version),
      ),
    ),
  );
  const parts = [
    el("h2", {}, "Conflict on ", el("span", { className: "mono" }, c.key)),
    notice ? el("p", { className: "notice" }, notice) : "",
    meta,
    el("div", { className: "versions" }, cards),
  ];
  if (c.status === "resolved" && c.resolution) {
    const r = c.resolution;
    parts.push(
      el(
        "p",
        { className: "resolution" },
        `Resolved by ${r.by} at ${r.at}: ${r.kept ? `kept ${r.kept}` : "wrote a new value"}, written as ${r.written}.`,
        r.note ? ` Note: ${r.note}` : "",
      ),
    );
  } else {
    parts.push(decisionForm(storeId, c));
  }
  parts.push(
    el("div", { className: "actions" }, el("button", { type: "button", onclick: closeDetail }, "Close")),
  );
  detail.replaceChildren(...parts);
}

function closeDetail() {
  const detail = $("detail");
  detail.hidden = true;
  detail.replaceChildren();
}

function decisionForm(storeId, c) {
  const group = `decision-${c.id}`;
  const options = c.versions.map((v, i) =>
    el(
      "label",
      {},
      el("input", {
        type: "radio",
        name: group,
        value: `keep:${v.version}`,
        disabled: !v.valueKnown,
        className: "choice-keep",
      }),
      ` Keep #${i + 1} (${ROLE_TEXT[v.role] ?? v.role}${v.applied ? ", applied now" : ""})`,
      v.valueKnown ? "" : " — its value was not kept",
    ),
  );
  const newValue = el("textarea", { className: "new-value", placeholder: "the value to write" });
  const note = el("textarea", { className: "note", placeholder: "why, for whoever reads this later" });
  const message = el("p", { className: "error", role: "alert" });
  const form = el(
    "div",
    { className: "decision" },
    el(
      "fieldset",
      {},
      el("legend", {}, "What stands?"),
      options,
      el(
        "label",
        {},
        el("input", { type: "radio", name: group, value: "value", className: "choice-value" }),
        " Write a new value:",
      ),
      newValue,
      el(
        "label",
        {},
        el("input", { type: "radio", name: group, value: "delete", className: "choice-delete" }),
        " Delete the key",
      ),
    ),
    el("label", {}, "Note", note),
    message,
    el(
      "div",
      { className: "actions" },
      el(
        "button",
        {
          type: "button",
          className: "primary resolve",
          onclick: () => {
            const picked = form.querySelector(`input[name="${group}"]:checked`);
            const who = $("who").value.trim();
            if (!picked) {
              message.textContent = "Choose what stands first.";
              return;
            }
            if (!who) {
              $("who").focus();
              message.textContent = "Say who you are (top of the page): it is recorded with the decision.";
              return;
            }
            message.textContent = "";
            const decision = { resolvedBy: who, note: note.value };
            if (picked.value.startsWith("keep:")) decision.keep = picked.value.slice(5);
            else if (picked.value === "value") decision.value = newValue.value;
            else decision.delete = true;
            confirmResolve(storeId, c, decision, message);
          },
        },
        "Resolve…",
      ),
    ),
  );
  return form;
}

function describeDecision(c, decision) {
  if (decision.keep) {
    const i = c.versions.findIndex((v) => v.version === decision.keep);
    const v = c.versions[i];
    return `keep #${i + 1} (${ROLE_TEXT[v?.role] ?? "version"} ${decision.keep})`;
  }
  if (decision.delete) return "delete the key";
  return "write the new value below";
}

function confirmResolve(storeId, c, decision, message) {
  const dialog = $("confirm");
  $("confirm-text").textContent = `Key ${c.key} in ${storeId}: ${describeDecision(c, decision)}.`;
  const summary = [el("dt", {}, "Resolved by"), el("dd", {}, decision.resolvedBy)];
  if (decision.value !== undefined)
    summary.push(el("dt", {}, "New value"), el("dd", {}, el("pre", {}, decision.value)));
  summary.push(el("dt", {}, "Note"), el("dd", {}, decision.note || "(none)"));
  $("confirm-summary").replaceChildren(...summary);
  const ok = $("confirm-ok");
  const cancel = $("confirm-cancel");
  const done = () => {
    ok.onclick = null;
    cancel.onclick = null;
    dialog.close();
  };
  cancel.onclick = done;
  ok.onclick = async () => {
    done();
    message.textContent = "Resolving…";
    const res = await api(`${storePath(storeId)}/conflicts/${encodeURIComponent(c.id)}/resolve`, {
      storeId,
      method: "POST",
      body: decision,
    });
    if (res.status === 200) {
      const r = res.body.resolution;
      renderConflict(
        storeId,
        res.body,
        res.node,
        `Resolved: ${r.kept ? `kept ${r.kept}` : "wrote a new value"} as version ${r.written}.`,
      );
      loadConflicts(storeId);
      return;
    }
    if (res.status === 401) showTokenForm(storeId, "The store refused the token.");
    // A token that may read but not resolve: say which role is missing and where to get it.
    if (res.status === 403 && res.body?.error === "forbidden") {
      showTokenForm(
        storeId,
        "Resolving needs the admin role; this token lacks it. Paste the store's admin token.",
      );
      message.textContent = `Not resolved: this token lacks the admin role (${errorText(res)})`;
      return;
    }
    message.textContent = notResolvedText(res);
    if (res.status === 409) loadConflicts(storeId);
  };
  dialog.showModal();
}

/**
 * What a failed resolution did and what to do next. The two quorum refusals get their own words
 * because they differ in the one thing on-call must know: whether anything was written.
 */
function notResolvedText(res) {
  const b = res.body ?? {};
  const list = (xs) => (Array.isArray(xs) && xs.length ? xs.join(", ") : "none");
  if (b.error === "resolve_refused") {
    const down = list((b.down ?? []).map((d) => d.node));
    return (
      `Not resolved, and nothing was written: only ${b.reached} of the ${b.needed} owners the write needs ` +
      `answer (down: ${down}). The conflict is still pending. Bring ${down} back, then resolve it again.`
    );
  }
  if (b.error === "resolve_incomplete") {
    return (
      `Not resolved: an owner went down while the new version was written, so it reached only ` +
      `${b.reached} of the ${b.needed} owners it needs (stored on: ${list(b.ownersReached)}). ` +
      "No new conflict was recorded and this one is still pending: resolve it again once the owners are up."
    );
  }
  return `Not resolved: ${errorText(res)}`;
}

// ---- start

document.addEventListener("DOMContentLoaded", () => {
  const who = $("who");
  who.value = sessionStorage.getItem(WHO_KEY) ?? "";
  who.addEventListener("change", () => sessionStorage.setItem(WHO_KEY, who.value.trim()));
  $("refresh").addEventListener("click", () => {
    closeDetail();
    loadStores();
  });
  loadStores();
});
