// The offline field page: unlock the device's store with the password, enter the weighing day with z-scores and
// checks computed here from the server's own tables and rules, keep every entry encrypted, and sync a queue of
// records with an idempotency key each (docs/offline.md).

const root = document.getElementById("thuc-dia");
const urls = root.dataset;
const T = JSON.parse(document.getElementById("thuc-dia-chu").textContent);
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, name) => (name in values
  ? String(values[name]) : whole));
const [zscores, rules, vaultModule] = await Promise.all([
  import(urls.zscoresSrc), import(urls.rulesSrc), import(urls.vaultSrc),
]);
const { computeZscores, ageInDays } = zscores;
const { valueErrors, scoreWarnings, changeWarnings, parseDecimal, formatNumber, formatDate, parseFigure, formatValue,
  checkFigure, todayIn } = rules;
const { Vault, WrongPassword, readMeta, updateMeta, wipe } = vaultModule;

const SYNC_CHUNK = 50;
const STATUS_TEXT = {
  waiting: T.status_waiting,
  synced: T.status_synced,
  refused: T.status_refused,
  conflict: T.status_conflict,
  resolved: T.status_resolved,
};
const FIELD_LABELS = { weight_kg: T.field_weight_kg, length_cm: T.field_length_cm, position: T.field_position,
  has_oedema: T.field_has_oedema, value: T.field_value, comment: T.field_comment };

const state = { vault: null, bundle: null, who: null, rules: null, reportRules: [], records: new Map(),
  syncing: false };
const $ = (selector) => root.querySelector(selector);

function node(tag, attributes = {}, ...children) {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) created.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) created.setAttribute(name, value);
  }
  for (const child of children) created.append(child);
  return created;
}

function say(text, tone = "") {
  const line = $("#trang-thai");
  line.textContent = text;
  line.className = tone;
}

function showConnection() {
  $("#ket-noi").textContent = navigator.onLine ? T.online : T.offline;
}

async function fetchJson(url, options = {}) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...options });
  const type = response.headers.get("Content-Type") || "";
  if (response.redirected || !type.includes("json")) {
    const error = new Error(T.signed_out);
    error.signIn = true;
    throw error;
  }
  const data = await response.json();
  if (!response.ok) {
    const error = new Error(data.detail || fill(T.server_answered, { status: response.status }));
    error.status = response.status;
    throw error;
  }
  return data;
}

// ---- reference data (the service worker keeps these for offline use) ---------------------------------------

async function loadReference() {
  const [who, definitions] = await Promise.all([fetchJson(urls.tablesUrl, { cache: "default" }),
    fetchJson(urls.rulesUrl, { cache: "default" })]);
  state.who = who;
  state.rules = definitions.measurement;
  state.reportRules = definitions.report_values;
}

// ---- unlocking -----------------------------------------------------------------------------------------------

async function unlockOnline(password) {
  const session = await fetchJson(urls.sessionUrl);
  const body = new URLSearchParams({ password });
  const bundle = await fetchJson(urls.bundleUrl, {
    method: "POST", body, headers: { "X-CSRFToken": session.csrf_token },
  });
  const meta = await readMeta();
  let vault;
  if (meta && meta.user_id === bundle.user_id && meta.salt === bundle.key.salt) {
    vault = await Vault.unlock(password);
  } else {
    if (meta) {
      const previous = await Vault.unlock(password).catch(() => null);
      const pending = previous ? (await previous.all("record:")).filter((item) => item.status === "waiting") : [];
      if (!previous || pending.length) {
        throw new Error(T.other_account);
      }
      await wipe();
    }
    vault = await Vault.create(password, { salt: bundle.key.salt, iterations: bundle.key.iterations,
      userId: bundle.user_id, offlineUntil: bundle.offline_until });
  }
  await vault.put("bundle", bundle);
  await updateMeta({ offline_until: bundle.offline_until });
  return { vault, bundle };
}

async function unlockOffline(password) {
  const meta = await readMeta();
  if (!meta) throw new Error(T.no_offline_copy);
  const vault = await Vault.unlock(password);
  const bundle = await vault.get("bundle");
  if (!bundle || Date.now() > Date.parse(bundle.offline_until)) {
    throw new Error(fill(T.offline_expired, { days: bundle ? bundle.offline_days : "" }));
  }
  return { vault, bundle };
}

async function unlock(event) {
  event.preventDefault();
  const input = $("#mat-khau");
  const password = input.value;
  say(T.unlocking);
  try {
    let opened = null;
    if (navigator.onLine) {
      try {
        opened = await unlockOnline(password);
      } catch (error) {
        // Without a connection, or with a session that ended, the device's copy still opens; a refused password
        // or any other answer of the server is shown.
        if (!(error instanceof TypeError) && !error.signIn) throw error;
      }
    }
    opened = opened || await unlockOffline(password);
    input.value = "";
    state.vault = opened.vault;
    state.bundle = opened.bundle;
    if (!state.who) await loadReference();
    for (const record of await state.vault.all("record:")) state.records.set(record.key, record);
    $("#mo-khoa").hidden = true;
    $("#phien").hidden = false;
    renderSession();
    renderReport();
    renderQueue();
    say(fill(T.opened, { commune: state.bundle.commune.name }), "notice");
    if (navigator.onLine) sync();
  } catch (error) {
    say(error instanceof WrongPassword ? T.wrong_password : error.message, "warn");
  }
}

// ---- the weighing day -----------------------------------------------------------------------------------------

function sexCode(sex) {
  return sex === "M" ? 1 : sex === "F" ? 2 : 0;
}

function rowValues(child) {
  const weight = parseDecimal($(`#can-${child.id}`).value);
  const length = parseDecimal($(`#do-${child.id}`).value);
  return {
    parsed: { weight_kg: weight.value, length_cm: length.value, position: $(`#cach-${child.id}`).value,
      has_oedema: $(`#phu-${child.id}`).checked, measured_on: $("#ngay-can").value },
    typingErrors: { ...(weight.error ? { weight_kg: weight.error } : {}),
      ...(length.error ? { length_cm: length.error } : {}) },
    text: { weight_kg: weight.value === null ? null : String(weight.value),
      length_cm: length.value === null ? null : String(length.value) },
  };
}

function assess(child) {
  const { parsed, typingErrors, text } = rowValues(child);
  const today = todayIn(state.bundle.time_zone);
  const errors = { ...valueErrors(state.rules, parsed, { birthDate: child.birth_date, today }), ...typingErrors };
  if (Object.keys(errors).length) return { errors, warnings: [], scores: null, parsed, text };
  const age = ageInDays(state.who, child.birth_date, child.birth_date_precision, parsed.measured_on);
  const scores = computeZscores(state.who, { sex: sexCode(child.sex), ageDays: age, weightKg: parsed.weight_kg,
    lengthCm: parsed.length_cm, position: parsed.position, oedema: parsed.has_oedema });
  const warnings = scoreWarnings(state.rules, scores, parsed);
  if (child.previous && child.previous.measured_on < parsed.measured_on) {
    warnings.push(...changeWarnings(state.rules, parsed, scores, child.previous));
  }
  return { errors, warnings, scores, parsed, text };
}

function showResult(child, result, extra = "") {
  const box = $(`#ket-qua-${child.id}`);
  box.replaceChildren();
  if (result.scores) {
    const show = (name) => (result.scores[name] === null ? "–" : formatNumber(result.scores[name], 2));
    box.append(node("span", { class: "scores", "data-testid": `scores-${child.id}` },
      `WAZ ${show("waz")} · HAZ ${show("haz")} · WHZ ${show("whz")}`));
  }
  for (const message of Object.values(result.errors)) box.append(node("p", { class: "field-error" }, message));
  for (const message of result.warnings) box.append(node("p", { class: "warn" }, `⚠ ${message}`));
  if (extra) box.append(node("p", { class: "notice", role: "status" }, extra));
}

function baseFor(child, measuredOn) {
  const local = latestLocal((item) => item.kind === "measurement" && item.child_id === child.id
    && item.measured_on === measuredOn);
  if (local !== undefined) return local;
  return measuredOn === state.bundle.on ? child.today : null;
}

async function saveRecord(record) {
  state.records.set(record.key, record);
  await state.vault.put(`record:${record.key}`, record);
}

async function saveRow(child) {
  const result = assess(child);
  if (Object.keys(result.errors).length) {
    showResult(child, result);
    return;
  }
  const { parsed, text } = result;
  const values = { weight_kg: text.weight_kg, length_cm: text.length_cm, position: parsed.position,
    has_oedema: parsed.has_oedema };
  await saveRecord({ key: crypto.randomUUID(), kind: "measurement", child_id: child.id, title: child.name,
    measured_on: parsed.measured_on, values, base: baseFor(child, parsed.measured_on),
    device_at: new Date().toISOString(), status: "waiting", message: "" });
  showResult(child, result, T.saved_on_device);
  renderQueue();
  if (navigator.onLine) sync();
}

function childRow(child) {
  const villages = new Map(state.bundle.villages.map((village) => [village.id, village.name]));
  const age = ageInDays(state.who, child.birth_date, child.birth_date_precision, state.bundle.on);
  const today = child.today || {};
  const position = node("select", { id: `cach-${child.id}`, "data-testid": `position-${child.id}`,
    "aria-label": T.field_position },
  node("option", { value: "L" }, T.lying), node("option", { value: "H" }, T.standing),
  node("option", { value: "" }, T.unknown_position));
  position.value = today.position ?? child.default_position;
  const row = node("tr", { "data-child": child.id },
    node("td", { translate: "no" }, child.name),
    node("td", { translate: "no" }, villages.get(child.village_id) || ""),
    node("td", {}, age === null ? "–" : formatNumber(age / 30.4375, 1)),
    node("td", {}, node("input", { id: `can-${child.id}`, "data-testid": `weight-${child.id}`,
      inputmode: "decimal", "aria-label": fill(T.weight_of, { name: child.name }), value: today.weight_kg ?? "" })),
    node("td", {}, node("input", { id: `do-${child.id}`, "data-testid": `length-${child.id}`,
      inputmode: "decimal", "aria-label": fill(T.length_of, { name: child.name }), value: today.length_cm ?? "" })),
    node("td", {}, position),
    node("td", {}, node("input", { type: "checkbox", id: `phu-${child.id}`, "data-testid": `oedema-${child.id}`,
      "aria-label": T.oedema_label, checked: Boolean(today.has_oedema) })),
    node("td", {}, node("button", { type: "button", "data-testid": `save-${child.id}` }, T.save_on_device)),
    node("td", { id: `ket-qua-${child.id}`, "aria-live": "polite" }));
  row.addEventListener("input", () => showResult(child, assess(child)));
  row.addEventListener("change", () => showResult(child, assess(child)));
  row.querySelector("button").addEventListener("click", () => saveRow(child));
  return row;
}

function renderSession() {
  $("#ten-xa").textContent = state.bundle.commune.name;
  const date = $("#ngay-can");
  if (!date.value) date.value = state.bundle.on;
  date.max = todayIn(state.bundle.time_zone);
  $("#danh-sach").replaceChildren(...state.bundle.children.map(childRow));
  $("#han-ngoai-tuyen").textContent = new Date(state.bundle.offline_until).toLocaleDateString("vi-VN");
}

// ---- the year's report figures ----------------------------------------------------------------------------------

function latestLocal(matches) {
  const local = [...state.records.values()].filter((item) => matches(item) && ["waiting", "synced"]
    .includes(item.status)).sort((first, second) => first.device_at.localeCompare(second.device_at));
  if (!local.length) return undefined;
  const latest = local[local.length - 1];
  return latest.status === "synced" && latest.server ? latest.server : latest.values;
}

function cellBase(element, cell) {
  const local = latestLocal((item) => item.kind === "report_value" && item.element_id === element.id
    && item.org_unit_id === cell.org_unit_id);
  return local === undefined ? cell.server : local;
}

function figureOf(code, unitId) {
  const element = state.bundle.report.elements.find((item) => item.code === code);
  const cell = element && element.cells.find((item) => item.org_unit_id === unitId);
  if (!cell) return null;
  const base = cellBase(element, cell);
  return base && base.value !== null ? parseFigure(String(base.value).replace(".", ",")).value : null;
}

function checkCell(element, cell) {
  const typed = parseFigure($(`#so-${element.id}-${cell.org_unit_id}`).value);
  if (typed.error) return { error: typed.error, findings: [] };
  const findings = checkFigure(state.reportRules, {
    code: element.code, value: typed.value, current: (code) => figureOf(code, cell.org_unit_id),
    lastYear: cell.last_year === null ? null : Number(cell.last_year), names: state.bundle.report.element_names,
  });
  return { error: null, findings };
}

function showCellResult(element, cell, result, extra = "") {
  const box = $(`#kiem-tra-${element.id}-${cell.org_unit_id}`);
  box.replaceChildren();
  if (result.error) box.append(node("p", { class: "field-error" }, result.error));
  for (const finding of result.findings) {
    box.append(node("p", { class: finding.severity === "error" ? "field-error" : "warn",
      "data-testid": "finding" }, finding.message));
  }
  if (extra) box.append(node("p", { class: "notice", role: "status" }, extra));
}

async function saveCell(element, cell) {
  const result = checkCell(element, cell);
  if (result.error) {
    showCellResult(element, cell, result);
    return;
  }
  const raw = $(`#so-${element.id}-${cell.org_unit_id}`).value.trim();
  const comment = $(`#gt-${element.id}-${cell.org_unit_id}`).value.trim();
  await saveRecord({ key: crypto.randomUUID(), kind: "report_value", submission_id: state.bundle.report.submission_id,
    element_id: element.id, org_unit_id: cell.org_unit_id, title: element.name,
    subtitle: fill(T.year_of, { year: state.bundle.report.year }), values: { value: raw || null, comment },
    base: cellBase(element, cell), device_at: new Date().toISOString(), status: "waiting", message: "" });
  showCellResult(element, cell, result, T.saved_on_device);
  renderQueue();
  if (navigator.onLine) sync();
}

function reportRow(element, cell) {
  const base = cellBase(element, cell) || { value: null, comment: "" };
  const shown = base.value === null ? "" : String(base.value).replace(".", ",");
  const row = node("tr", { "data-element": element.code },
    node("td", { translate: "no" }, element.name),
    node("td", { translate: "no" }, cell.unit_name),
    node("td", {}, node("input", { id: `so-${element.id}-${cell.org_unit_id}`, inputmode: "decimal",
      "data-testid": `figure-${element.code}`, "aria-label": fill(T.figure_of, { name: element.name }),
      value: shown })),
    node("td", {}, node("input", { id: `gt-${element.id}-${cell.org_unit_id}`,
      "data-testid": `comment-${element.code}`, "aria-label": fill(T.comment_of, { name: element.name }),
      value: base.comment || "" })),
    node("td", {}, node("button", { type: "button", "data-testid": `save-${element.code}` },
      T.save_on_device)),
    node("td", { id: `kiem-tra-${element.id}-${cell.org_unit_id}`, "aria-live": "polite" }));
  row.addEventListener("input", () => showCellResult(element, cell, checkCell(element, cell)));
  row.querySelector("button").addEventListener("click", () => saveCell(element, cell));
  return row;
}

function renderReport() {
  const report = state.bundle.report;
  $("#bao-cao").hidden = !report;
  if (!report) return;
  $("#nam-bao-cao").textContent = String(report.year);
  $("#so-lieu").replaceChildren(...report.elements.flatMap((element) => element.cells.map(
    (cell) => reportRow(element, cell))));
}

// ---- the queue and the sync -------------------------------------------------------------------------------------

function describe(record) {
  const values = record.values;
  if (!values) return T.none_yet;
  const names = record.kind === "report_value" ? ["value", "comment"] : Object.keys(FIELD_LABELS);
  return names.map((name) => `${FIELD_LABELS[name]}: ${show(name, values[name])}`).join("; ");
}

function show(name, value) {
  if (name === "comment") return value ? value : T.empty;
  if (name === "value") return value === null || value === undefined || value === "" ? T.empty
    : formatValue(parseFigure(String(value)).value);
  if (name === "has_oedema") return value ? T.yes : T.no;
  if (name === "position") return value === "L" ? T.lying_lower : value === "H" ? T.standing_lower : T.unknown_lower;
  return value === null || value === undefined || value === "" ? T.empty : formatNumber(Number(value), 2);
}

async function resolve(record, choice) {
  if (choice === "mine") {
    // The device's value for the fields in conflict only: every other field keeps the server's current value.
    const empty = record.kind === "report_value" ? { value: null, comment: "" }
      : { weight_kg: null, length_cm: null, position: "", has_oedema: false };
    const values = { ...empty, ...(record.server || {}) };
    for (const [name, pair] of Object.entries(record.fields || {})) values[name] = pair.device;
    await saveRecord({ ...record, key: crypto.randomUUID(), values, base: record.server, status: "waiting",
      message: "", fields: undefined, device_at: new Date().toISOString(), resolves: record.key });
  } else {
    rememberServer(record, record.server);
    await state.vault.put("bundle", state.bundle);
  }
  await saveRecord({ ...record, status: "resolved",
    message: choice === "mine" ? T.kept_mine : T.kept_server });
  renderQueue();
  if (choice === "mine" && navigator.onLine) sync();
}

function queueItem(record) {
  const item = node("li", { "data-testid": "record", "data-status": record.status, "data-child": record.child_id,
    "data-key": record.key },
    node("strong", { translate: "no" }, record.title),
    ` · ${record.kind === "report_value" ? record.subtitle : formatDate(record.measured_on)} · `,
    node("span", { class: "record-status" }, STATUS_TEXT[record.status]),
    record.message ? node("span", { class: "record-message" }, `: ${record.message}`) : "",
    node("div", { class: "hint", translate: "no" }, describe(record)));
  if (record.status === "conflict") {
    const table = node("table", { class: "conflict" },
      node("tr", {}, node("th", {}, T.column_field), node("th", {}, T.column_server), node("th", {}, T.column_device)));
    for (const [name, pair] of Object.entries(record.fields || {})) {
      table.append(node("tr", { "data-field": name }, node("td", {}, FIELD_LABELS[name] || name),
        node("td", { "data-testid": "server-value" }, show(name, pair.server)),
        node("td", { "data-testid": "device-value" }, show(name, pair.device))));
    }
    const mine = node("button", { type: "button" }, T.keep_mine);
    const theirs = node("button", { type: "button" }, T.keep_server);
    mine.addEventListener("click", () => resolve(record, "mine"));
    theirs.addEventListener("click", () => resolve(record, "server"));
    item.append(table, mine, " ", theirs);
  }
  return item;
}

function renderQueue() {
  const records = [...state.records.values()].sort((first, second) => second.device_at.localeCompare(first.device_at));
  const waiting = records.filter((record) => record.status === "waiting").length;
  $("#dem-cho").textContent = String(waiting);
  $("#hang-doi").replaceChildren(...records.map(queueItem));
}

function wire(record) {
  const common = { key: record.key, kind: record.kind, values: record.values, base: record.base,
    device_at: record.device_at };
  if (record.kind === "report_value") {
    return { ...common, submission_id: record.submission_id, element_id: record.element_id,
      org_unit_id: record.org_unit_id };
  }
  return { ...common, child_id: record.child_id, measured_on: record.measured_on };
}

// What the server now holds becomes the device's copy (the base of the next entry of the same thing).
function rememberServer(record, server) {
  if (record.kind === "report_value") {
    const element = state.bundle.report && state.bundle.report.elements.find((item) => item.id === record.element_id);
    const cell = element && element.cells.find((item) => item.org_unit_id === record.org_unit_id);
    if (cell) cell.server = server;
    return;
  }
  const child = state.bundle.children.find((item) => item.id === record.child_id);
  if (child && record.measured_on === state.bundle.on) child.today = server;
}

async function applyAnswer(answer) {
  const record = state.records.get(answer.key);
  if (!record) return;
  const next = { ...record, status: answer.status, message: answer.message || "", fields: answer.fields,
    server: answer.server };
  if (answer.status === "synced") rememberServer(record, answer.server);
  if (answer.findings && answer.findings.length) next.message = `${next.message} ${answer.findings.join(" ")}`;
  await saveRecord(next);
}

async function sync() {
  if (state.syncing || !state.vault) return;
  const waiting = [...state.records.values()].filter((record) => record.status === "waiting")
    .sort((first, second) => first.device_at.localeCompare(second.device_at));
  if (!waiting.length) return;
  state.syncing = true;
  say(fill(T.syncing, { count: waiting.length }));
  try {
    const session = await fetchJson(urls.sessionUrl);
    for (let start = 0; start < waiting.length; start += SYNC_CHUNK) {
      const chunk = waiting.slice(start, start + SYNC_CHUNK);
      const answer = await fetchJson(urls.syncUrl, {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf_token },
        body: JSON.stringify({ records: chunk.map(wire) }),
      });
      for (const result of answer.results) await applyAnswer(result);
      await state.vault.put("bundle", state.bundle);
      renderQueue();
    }
    say(T.synced_all, "notice");
  } catch (error) {
    say(error instanceof TypeError ? T.connection_lost
      : error.message, "warn");
  } finally {
    state.syncing = false;
    renderQueue();
  }
}

// ---- start ------------------------------------------------------------------------------------------------------

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(urls.serviceWorker, { scope: urls.scope, type: "classic" }).catch(() => {
    say(T.no_worker, "warn");
  });
}
$("#mo-khoa").addEventListener("submit", unlock);
$("#dong-bo").addEventListener("click", () => sync());
$("#xoa-may").addEventListener("click", async () => {
  if ([...state.records.values()].some((record) => record.status === "waiting")) {
    say(T.wipe_refused, "warn");
    return;
  }
  if (!window.confirm(T.wipe_confirm)) return;
  await wipe();
  window.location.reload();
});
window.addEventListener("online", () => { showConnection(); sync(); });
window.addEventListener("offline", showConnection);
showConnection();
loadReference().catch(() => {});
root.dataset.ready = "true";
