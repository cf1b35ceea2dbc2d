// zjtx planner page: plain JavaScript, no build step, talks only to this server's /v1 API.
// Every word comes from the server's message catalogue (/v1/messages) in the chosen language.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { lang: "zh", words: {}, names: {}, industries: [], register: {}, examples: [], record: null };

function T(id, fields = {}) {
  const text = state.words[id] ?? id;
  return text.replace(/\{(\w+)\}/g, (_, key) => String(fields[key] ?? ""));
}
// T's text as nodes, the fields named in `whole` each on one line: a telephone never breaks at
// its hyphen (010-/55578300), whatever the width of the office's name beside it.
function Tnodes(id, fields, whole) {
  return (state.words[id] ?? id).split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const key = (part.match(/^\{(\w+)\}$/) || [])[1];
    if (!key) return part;
    const value = String(fields[key] ?? "");
    return whole.includes(key) ? el("span", { class: "nowrap" }, value) : value;
  });
}
const N = (kind, id) => (id ? (state.names[kind] || {})[id] || id : "");
const yuan = (n) => n.toLocaleString("en-US");
const money = (m) => (m.min === m.max ? yuan(m.max) : `${yuan(m.min)} – ${yuan(m.max)}`) + (m.open_above ? T("money.or_more") : "");
const delta = (d) => (d.min === d.max ? `${d.max >= 0 ? "+" : ""}${yuan(d.max)}` : `${yuan(d.min)} … ${yuan(d.max)}`);
const measureName = (id) => (state.lang === "zh" ? `${N("measure", id)} ` : "") + id;
// A day in the page's language: 2023年6月30日 in Chinese, 2023-06-30 in English (what a person
// typed otherwise stays as typed; the server reads every spelling a record file reads).
function shownDate(text) {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
  if (iso && state.lang === "zh") return `${iso[1]}年${Number(iso[2])}月${Number(iso[3])}日`;
  const zh = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(text || "");
  if (zh && state.lang !== "zh") return `${zh[1]}-${zh[2].padStart(2, "0")}-${zh[3].padStart(2, "0")}`;
  return text || "";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}
const option = (value, text) => el("option", { value }, text);
// A machine token (expense=belt_road_investment:1000000@2026) may wrap after = : @ / (a <wbr>,
// not a character: what is copied stays a command that runs), never inside a word or a year.
const soft = (text) => String(text).split(/(?<=[=:@\/])/).flatMap((part, i) => (i ? [el("wbr"), part] : [part]));

function showError(text) {
  $("error").hidden = !text;
  $("error").textContent = text || "";
}

// -- talking to the server --------------------------------------------------------------------
function query() {
  const params = new URLSearchParams({ lang: state.lang });
  for (const key of Object.keys(state.register)) {
    const value = $(`reading-${key}`).value;
    if (value !== state.register[key].default) params.set(key, value);
  }
  return `?${params}`;
}

async function call(method, path, body, type = "application/json") {
  const response = await fetch(path + query(), {
    method, headers: body !== undefined ? { "content-type": type } : {},
    body: body === undefined ? undefined : type === "application/json" ? JSON.stringify(body) : body,
  });
  const data = await response.json();
  if (!response.ok) {
    const lines = data.errors ? data.errors.map((e) => e.detail) : [`${data.field ? data.field + ": " : ""}${data.detail}`];
    throw new Error(lines.join("\n"));
  }
  return data;
}

// -- words ------------------------------------------------------------------------------------
async function setLang(lang) {
  const data = await (await fetch(`/v1/messages?lang=${lang}`)).json();
  Object.assign(state, { lang: data.lang, words: data.messages, names: data.names, industries: data.industries });
  try { localStorage.setItem("zjtx-lang", state.lang); } catch (error) { /* private mode */ }
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = T("page.title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = T(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", T(node.dataset.i18nLabel));
  dressDateInputs();
  for (const button of document.querySelectorAll(".lang button")) button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  const form = state.record || recordFromForm();
  buildChoices();
  buildReadings();
  fillForm(form);
  if (state.record) await run(state.record);
  if (state.batch) await runBatch(state.batch.body, state.batch.type);
  if (state.recognitions) await runRecognitions(state.recognitions.body);
  if (state.impact) await runImpact();
}

function fillSelect(select, kind, ids, keepFirst = false) {
  const chosen = select.value;
  const first = keepFirst ? [select.options[0]] : [];
  select.replaceChildren(...first, ...ids.map((id) => option(id, N(kind, id))));
  select.value = chosen;
}

const DISTRICTS = () => Object.keys(state.names.district);
const TIERS = () => Object.keys(state.names.tier);

function buildChoices() {
  fillSelect($("f-district"), "district", DISTRICTS());
  fillSelect($("f-entity"), "entity_type", Object.keys(state.names.entity_type));
  fillSelect($("wi-tier"), "tier", TIERS().filter((t) => t !== "innovative"), true);
  fillSelect($("wi-district"), "district", DISTRICTS().filter((d) => d !== "outside_beijing"), true);
  fillSelect($("rec-tier"), "tier", TIERS(), true);
  const ticked = new Set([...document.querySelectorAll("#f-industries input:checked")].map((box) => box.value));
  $("f-industries").replaceChildren(...state.industries.map((tag) => el("label", { class: "check" },
    Object.assign(el("input", { type: "checkbox", value: tag }), { checked: ticked.has(tag) }), " ", N("industry", tag))));
}

function buildReadings() {
  const chosen = Object.fromEntries(Object.keys(state.register).map((k) => [k, $(`reading-${k}`)?.value]));
  $("readings").replaceChildren();
  for (const [key, spec] of Object.entries(state.register)) {
    const plain = (id, fallback) => (state.words[id] ? T(id) : fallback);
    const select = el("select", { id: `reading-${key}`, title: `${key}: ${spec.about}` });
    for (const value of Object.keys(spec.alternatives)) select.append(option(value, plain(`reading.${key}.${value}`, `${value}: ${spec.alternatives[value]}`)));
    select.value = chosen[key] || spec.default;
    select.addEventListener("change", () => state.record && run(state.record));
    $("readings").append(el("label", {}, plain(`reading.${key}`, spec.about), select));
  }
}

// -- dates ------------------------------------------------------------------------------------
// The browser's own date input speaks the browser's language (mm/dd/yyyy under an English
// browser, whatever the page's): a date is a text box instead, with a hint in the page's words,
// that takes what people type (2023年6月30日, 2023/6/30, 2023-06-30) and is checked by the server,
// which reads it as every door does.
function dateInput(value = "") {
  const input = el("input", { class: "date", "aria-label": T("page.date") });
  input.value = shownDate(value);
  dressDateInputs([input]);
  return input;
}

function dressDateInputs(inputs = document.querySelectorAll("input.date")) {
  for (const input of inputs) {
    input.placeholder = T("page.date_hint");
    input.title = T("page.date_help");
    input.value = shownDate(input.value);
    if (!input.dataset.checked) {
      input.dataset.checked = "true";
      input.addEventListener("change", () => checkDate(input));
    }
    if (input.value) checkDate(input);
  }
}

// A date the server does not read is marked, its message (in the page's language) beside it.
async function checkDate(input) {
  const text = input.value.trim();
  let problem = "";
  if (text) {
    const response = await fetch(`/v1/windows?${new URLSearchParams({ date: text, lang: state.lang })}`);
    if (!response.ok) problem = (await response.json()).detail;
  }
  input.setCustomValidity(problem);
  input.setAttribute("aria-invalid", String(Boolean(problem)));
  let note = input.nextElementSibling;
  if (!note || !note.classList.contains("date-problem")) {
    note = el("span", { class: "date-problem", role: "alert" });
    input.after(note);
  }
  note.textContent = problem;
  note.hidden = !problem;
}

// -- the form ---------------------------------------------------------------------------------
function removeButton(row) {
  const button = el("button", { type: "button", class: "small" }, T("page.remove"));
  button.addEventListener("click", () => row.remove());
  return button;
}

function addRecognition(tier = "municipal", date = "") {
  const row = el("div", { class: "item recognition" });
  const select = el("select", { "aria-label": T("column.tier") }, ...TIERS().map((id) => option(id, N("tier", id))));
  select.value = tier;
  row.append(select, dateInput(date), removeButton(row));
  $("f-recognitions").append(row);
}

function addMove(from = "outside_beijing", to = "", date = "") {
  const row = el("div", { class: "item move" });
  const places = DISTRICTS();
  const a = el("select", { "aria-label": T("page.from") }, ...places.map((id) => option(id, N("district", id))));
  const b = el("select", { "aria-label": T("page.to") }, ...places.map((id) => option(id, N("district", id))));
  a.value = from;
  b.value = to || $("f-district").value;
  row.append(a, "→", b, dateInput(date), removeButton(row));
  $("f-moves").append(row);
}

function recordFromForm() {
  if (!state.names.district) return null;
  const other = $("f-industries-other").value.split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
  const record = {
    id: $("f-id").value.trim() || "E-1", district: $("f-district").value, entity_type: $("f-entity").value,
    industries: [...[...document.querySelectorAll("#f-industries input:checked")].map((box) => box.value), ...other],
    recognitions: [...document.querySelectorAll("#f-recognitions .recognition")].map((row) => ({
      tier: row.querySelector("select").value, date: row.querySelector("input").value })),
    moves: [...document.querySelectorAll("#f-moves .move")].map((row) => {
      const [from, to] = row.querySelectorAll("select");
      return { from: from.value, to: to.value, date: row.querySelector("input").value };
    }),
  };
  if ($("f-as-of").value) record.as_of = $("f-as-of").value;
  return record;
}

function fillForm(record) {
  if (!record) return;
  $("f-id").value = record.id || "";
  $("f-district").value = record.district || "dongcheng";
  $("f-entity").value = record.entity_type || "enterprise";
  $("f-as-of").value = shownDate(record.as_of);
  checkDate($("f-as-of"));
  const known = new Set(state.industries);
  for (const box of document.querySelectorAll("#f-industries input")) box.checked = (record.industries || []).includes(box.value);
  $("f-industries-other").value = (record.industries || []).filter((tag) => !known.has(tag)).join(", ");
  $("f-recognitions").replaceChildren();
  for (const r of record.recognitions || []) addRecognition(r.tier, r.date);
  $("f-moves").replaceChildren();
  for (const m of record.moves || []) addMove(m.from, m.to, m.date);
}

// -- results ----------------------------------------------------------------------------------
function clearResults() {
  state.record = null;
  $("evidence-sum").textContent = "";
  $("filled").hidden = true;
  $("empty").hidden = false;
}

function cell(label, text, attrs = {}) {
  return el("td", { ...attrs, "data-label": label }, ...(Array.isArray(text) ? text : [text]));
}

function renderEvaluation(result) {
  $("empty").hidden = true;
  $("filled").hidden = false;
  $("total").textContent = T("page.total", { amount: money(result.total) });
  // Claims of years gone that the record does not list as received are shown apart ("check
  // with the office whether it was paid"), so that nobody mistakes them for money to come.
  const past = result.awards.filter((award) => award.status === "past");
  $("past-block").hidden = !past.length;
  fillAwards($("past-awards").querySelector("tbody"), past);
  const body = $("awards").querySelector("tbody");
  fillAwards(body, result.awards.filter((award) => award.status !== "past"));
  if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: "7" }, T("evaluate.no_award"))));
  $("warnings").hidden = !result.warnings.length;
  $("warnings").replaceChildren(...result.warnings.map((w) => el("li", {}, w.message)));
  const years = result.timeline.filter((year) => year.claims.length);
  $("timeline").replaceChildren(...years.map((year) => el("li", {},
    el("strong", {}, `${year.year}: ${money(year.total)}`), " — ",
    year.claims.map((c) => `${measureName(c.measure)}${c.tier ? " " + N("tier", c.tier) : ""} ${money(c.amount)} ` +
      `${T("page.from_office", { payer: N("district", c.paid_by) })}` +
      ` (${T(`status.${c.status}`)}), ${c.tel}`).join("; "))));
  if (!years.length) $("timeline").replaceChildren(el("li", { class: "empty" }, T("timeline.nothing")));
  // The measures of districts never registered in share one line, as in the terminal.
  const elsewhere = result.not_awarded.filter((item) => item.elsewhere);
  const own = result.not_awarded.filter((item) => !item.elsewhere);
  $("not-awarded").replaceChildren(...own.map((item) =>
    el("li", {}, el("strong", {}, state.lang === "zh" ? measureName(item.measure) : `${item.title} (${item.measure})`),
      ": ", item.reasons.map((r) => r.text).join(T("reason.word.item_sep")))));
  if (elsewhere.length) $("not-awarded").append(el("li", { class: "elsewhere" },
    el("strong", {}, T("evaluate.elsewhere")), ": ",
    T("reason.line.elsewhere", { titles: elsewhere.map((item) => state.lang === "zh" ? N("measure", item.measure) : item.title).join(T("reason.word.list_sep")) })));
}

function fillAwards(body, awards) {
  body.replaceChildren();
  for (const award of awards) {
    const status = award.status;  // received | projected | due | past (DOMAIN.md section 8)
    body.append(el("tr", { class: status },
      cell(T("column.claim"), String(award.claim_year), { class: "year" }), cell(T("column.measure"), measureName(award.measure)),
      cell(T("column.tier"), N("tier", award.tier), { class: "short" }), cell(T("column.amount"), money(award.amount), { class: "amount" }),
      cell(T("column.paid_by"), N("district", award.paid_by), { class: "short" }), cell(T("column.status"), T(`status.${status}`)),
      cell(T("column.call"), [el("span", { class: "tag" }, T("label.clause_original")), el("br"),
        el("span", { class: "clause" }, `“${award.clause}”`), el("br"), ...Tnodes("label.tel", { contact: award.contact_name || award.contact, tel: award.tel_name || award.tel }, ["tel"])])));
  }
}

function renderWhatif(result) {
  $("whatif-empty").hidden = Boolean(result);
  $("whatif").hidden = !result;
  if (!result) return;
  const row = (label, before, after, change, kind = "amount") => el("tr", {}, el("th", {}, label), el("td", { class: "amount" }, before),
    el("td", {}, "→"), el("td", { class: kind }, after), el("td", {}, "="), el("td", { class: "amount difference" }, change));
  const body = $("whatif").querySelector("tbody");
  body.replaceChildren(row(T("column.total"), money(result.baseline.total), money(result.outcome.total), delta(result.delta)));
  for (const [key, list] of [["column.gained", result.gained], ["column.lost", result.lost]]) {
    for (const a of list) body.append(row(T(key), "", `${measureName(a.measure)} ${N("tier", a.tier)} ${a.claim_year}`, money(a.amount), "scenario"));
  }
}

// Drawn at the width it is shown at (one SVG unit = one CSS pixel): labels stay 12–13 px on a
// phone instead of shrinking with the picture; the label column is as wide as its longest label.
function renderRanking(ranking) {
  state.ranking = ranking;
  const svg = $("ranking");
  const rows = ranking.ranking;
  const top = Math.max(1, ...rows.map((r) => r.total.max));
  const shown = Math.round(svg.getBoundingClientRect().width) || 640;
  const height = 24;
  svg.setAttribute("viewBox", `0 0 ${shown} ${rows.length * height + 10}`);
  svg.setAttribute("height", String(rows.length * height + 10));
  svg.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const labels = rows.map((row, i) => make("text", { y: i * height + 20, "text-anchor": "end", "font-size": "13" },
    N("district", row.district) + (row.district === ranking.current_district ? T("label.current") : "")));
  const left = Math.min(Math.ceil(Math.max(...labels.map((label) => label.getComputedTextLength()))) + 10,
    Math.round(shown * 0.45));
  const amounts = rows.map((row) => make("text", { "font-size": "12" }, money(row.total)));
  const room = Math.ceil(Math.max(...amounts.map((label) => label.getComputedTextLength()))) + 10;
  const width = Math.max(40, shown - left - room);
  rows.forEach((row, i) => {
    const y = i * height + 5;
    const colour = row.district === ranking.current_district ? "#c0392b" : "#2c6fbb";
    labels[i].setAttribute("x", left - 6);
    make("rect", { class: "bar", "data-district": row.district, x: left, y, height: height - 6,
      width: (width * row.total.max) / top, fill: colour, "fill-opacity": "0.3" });
    make("rect", { x: left, y, height: height - 6, width: (width * row.total.min) / top, fill: colour });
    amounts[i].setAttribute("x", left + (width * row.total.max) / top + 6);
    amounts[i].setAttribute("y", y + 15);
  });
  const [first, last] = ranking.horizon;
  $("ranking-note").textContent = T("page.ranking_note", { date: ranking.move_date, first, last, winner: N("district", rows[0].district) });
}

// The worklist for the record on the chosen day (default: the record's as_of, else today).
async function refreshWorklist(record, current = () => true) {
  const day = $("wl-date").value || record.as_of || new Date().toISOString().slice(0, 10);
  const result = await call("POST", "/v1/worklist", { records: [record], date: day });
  if (!current()) return;  // a later run's worklist is the one shown
  const body = $("worklist").querySelector("tbody");
  body.replaceChildren(...result.actions.map((a) => el("tr", { class: a.kind },
    cell(T("page.wl_by"), a.deadline || "—"),
    cell(T("page.wl_action"), soft(a.action)),
    cell(T("column.amount"), money({ min: a.amount_min, max: a.amount_max, open_above: a.open_above }), { class: "amount" }),
    cell(T("column.call"), Tnodes("label.tel", { contact: a.office_name || a.office, tel: a.tel_name || a.tel }, ["tel"])), cell(T("page.wl_note"), soft(a.note)))));
  if (!result.actions.length) body.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, T("page.wl_nothing", { day }))));
}

function whatifChanges() {
  const changes = [];
  if ($("wi-tier").value) changes.push(`recognition=${$("wi-tier").value}@${$("wi-tier-date").value || state.record.as_of || new Date().toISOString().slice(0, 10)}`);
  const district = $("wi-district").value;
  if (district && district !== state.record.district) {
    if (!$("wi-move-date").value) throw new Error(T("page.move_date_needed"));
    changes.push(`move=${district}@${$("wi-move-date").value}`);
  }
  return changes;
}

// The latest run wins: a run started earlier (a what-if date changed, then an example chosen)
// whose answers come back later shows nothing and never puts its record back in `state.record`.
let runs = 0;

async function run(record) {
  const ticket = ++runs;
  const current = () => ticket === runs;
  showError("");
  try {
    const evaluation = await call("POST", "/v1/evaluate", record);
    if (!current()) return;
    state.record = record;
    $("evidence-sum").textContent = "";  // a bundle of an earlier answer: not this one
    renderEvaluation(evaluation);
    await refreshWorklist(record, current);
    const changes = whatifChanges();
    const whatif = changes.length ? await call("POST", "/v1/whatif", { record, changes }) : null;
    if (!current()) return;
    renderWhatif(whatif);
    const plan = { record };
    if ($("wi-move-date").value) plan.move_date = $("wi-move-date").value;
    const ranking = await call("POST", "/v1/best-district", plan);
    if (current()) renderRanking(ranking);
  } catch (error) {
    if (!current()) return;
    clearResults();
    showError(`${T("page.not_valid")}\n${error.message}`);
  }
}

// -- many enterprises: rows of a sheet to /v1/batch ---------------------------------------------
// The server reads every kind as `zjtx batch` reads a file (one reader); the page only names the
// kind: by the file's extension, or for pasted text JSON lines ({…} on each line) else CSV.
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSONL = "application/x-ndjson";

// `sheet`: the text is known to be rows (the batch box), so one JSON line is one row, not a record.
function rowsKind(text, sheet = false) {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (!lines.length) return null;
  if (lines.every((line) => line.startsWith("{"))) return lines.length > 1 || sheet ? JSONL : null;
  // A record is YAML ("key: value") or one JSON object; a sheet's header row has commas, no colon.
  return lines[0].includes(",") && !lines[0].includes(":") && !lines[0].startsWith("{") ? "text/csv" : null;
}

function fileKind(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".xlsx")) return XLSX;
  if (name.endsWith(".csv")) return "text/csv";
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return JSONL;
  return null;
}

function batchError(text) {
  $("batch-error").hidden = !text;
  $("batch-error").textContent = text || "";
}

async function runBatch(body, type) {
  batchError("");
  try {
    const response = await fetch("/v1/batch" + query(), { method: "POST", headers: { "content-type": type }, body });
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail);
    state.batch = { body, type };
    renderBatch(data);
  } catch (error) {
    state.batch = null;
    $("batch-out").hidden = true;
    batchError(`${T("page.not_valid")}\n${error.message}`);
  }
}

// The rows in error of a batch-like answer, in the section's table (`<section>-errors`).
function errorRows(section, errors) {
  $(`${section}-errors-block`).hidden = !errors.length;
  $(`${section}-errors`).querySelector("tbody").replaceChildren(...errors.map((row) => el("tr", {},
    cell(T("page.batch_row"), String(row.row), { class: "year" }), cell(T("page.id"), row.id || ""),
    cell(T("page.batch_field"), row.field || ""), cell(T("page.batch_problem"), row.message))));
}

function renderBatch(data) {
  $("batch-out").hidden = false;
  $("batch-counts").textContent = T("page.batch_counts", data);
  $("batch-results").querySelector("tbody").replaceChildren(...data.results.map((row) => el("tr", {},
    cell(T("page.id"), row.id), cell(T("page.name"), row.name || ""),
    cell(T("column.total"), money({ min: row.total_min, max: row.total_max, open_above: row.open_above }), { class: "amount" }),
    cell(T("page.batch_awards"), String(row.awards)), cell(T("page.batch_warnings"), row.warnings || ""))));
  errorRows("batch", data.errors);
  $("batch-download").hidden = !data.results.length && !data.errors.length;  // the error rows download too
}

// The results as the XLSX file `zjtx batch` writes, the error rows on a second sheet (the server's
// writer, headers and sheet names in the page's language).
async function downloadBatch() {
  if (!state.batch) return;
  const response = await fetch("/v1/batch" + query(), {
    method: "POST", headers: { "content-type": state.batch.type, accept: XLSX }, body: state.batch.body });
  if (!response.ok) return batchError((await response.json()).detail);
  saveBlob(await response.blob(), "zjtx-results.xlsx");
}

// -- evidence: the answer as a bundle a bureau can file ----------------------------------------
function saveBlob(blob, name) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// The same record, readings and language as the answer shown: the bundle `zjtx evaluate
// RECORD.json --evidence` writes for these bytes, with its SHA-256 to record elsewhere.
async function downloadEvidence() {
  if (!state.record) return;
  const response = await fetch("/v1/evaluate" + query() + "&evidence=1", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(state.record) });
  if (!response.ok) return showError((await response.json()).detail);
  const name = (/filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "") || [])[1] || "evidence.zip";
  saveBlob(await response.blob(), name);
  $("evidence-sum").textContent = T("page.evidence_sum", { name, sha256: response.headers.get("x-evidence-sha256") });
}

// -- 免申即享: a published list matched to the registry -----------------------------------------
// Both files go to /v1/recognitions/import (base64 in JSON), read as `zjtx recognitions import`
// reads them; the answer holds every row's match, the new claims and both files as XLSX.
async function fileBody(input) {
  const file = input.files[0];
  if (!file) return null;
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return { name: file.name, content: btoa(binary) };
}

function recognitionsError(text) {
  $("rec-error").hidden = !text;
  $("rec-error").textContent = text || "";
}

async function runRecognitions(body = null) {
  recognitionsError("");
  if (!body) {
    const [list, registry] = [await fileBody($("rec-list")), await fileBody($("rec-registry"))];
    if (!list || !registry) return recognitionsError(T("page.rec_need_files"));
    body = { list, registry };
    for (const [key, id] of [["tier", "rec-tier"], ["date", "rec-date"], ["day", "rec-day"]]) if ($(id).value) body[key] = $(id).value;
  }
  try {
    const data = await call("POST", "/v1/recognitions/import", body);
    state.recognitions = { body, data };
    renderRecognitions(data);
  } catch (error) {
    state.recognitions = null;
    $("rec-out").hidden = true;
    recognitionsError(`${T("page.not_valid")}\n${error.message}`);
  }
}

const ADDED = new Set(["matched_by_code", "matched_by_name", "already_recorded"]);

function renderRecognitions(data) {
  $("rec-out").hidden = false;
  $("rec-counts").textContent = T("page.rec_counts", data.counts);
  const claims = $("rec-claims").querySelector("tbody");
  claims.replaceChildren(...data.worklist.actions.map((a) => el("tr", {},
    cell(T("page.wl_by"), a.deadline || "—", { class: "year" }),
    cell(T("page.rec_enterprise"), `${a.enterprise} ${a.name || ""}`),
    cell(T("page.wl_action"), soft(a.action)),
    cell(T("column.amount"), money({ min: a.amount_min, max: a.amount_max, open_above: a.open_above }), { class: "amount" }),
    cell(T("column.call"), Tnodes("label.tel", { contact: a.office_name || a.office, tel: a.tel_name || a.tel }, ["tel"])))));
  if (!data.worklist.actions.length) claims.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, T("page.rec_no_claims"))));
  $("rec-worklist").hidden = !data.worklist.actions.length;
  $("rec-matches").querySelector("tbody").replaceChildren(...data.matches.map((m) => el("tr", { class: ADDED.has(m.status) ? "added" : "refused" },
    cell(T("page.batch_row"), String(m.list_row), { class: "year" }), cell(T("page.name"), m.name || ""),
    cell(T("page.rec_result"), T(`page.rec_status.${m.status}`)),
    cell(T("page.rec_registry_row"), m.id ? `${m.id} (${m.registry_row})` : ""),
    cell(T("page.rec_message"), soft(m.message)))));
}

function downloadBase64(content, name) {
  const bytes = Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
  saveBlob(new Blob([bytes], { type: XLSX }), name);
}

// -- who is affected when policies change: the registry to /v1/impact ----------------------------
async function fillPackages() {
  const packages = await (await fetch("/v1/packages")).json();
  for (const [id, chosen] of [["impact-from", packages.find((p) => p.default)], ["impact-to", packages.find((p) => !p.default)]]) {
    $(id).replaceChildren(...packages.map((p) => option(p.name, p.name)));
    if (chosen) $(id).value = chosen.name;
  }
}

function impactError(text) {
  $("impact-error").hidden = !text;
  $("impact-error").textContent = text || "";
}

async function runImpact() {
  impactError("");
  const file = $("impact-upload").files[0];
  const text = $("batch-text").value;
  const body = file || (text.trim() ? text : (state.batch && state.batch.body));
  if (!body) return impactError(T("page.impact_no_rows"));
  const type = file ? fileKind(file) || rowsKind(await file.text(), true) || "text/csv"
    : typeof body === "string" ? rowsKind(body, true) || "text/csv" : state.batch.type;
  const params = new URLSearchParams(query().slice(1));
  params.set("from", $("impact-from").value);
  params.set("to", $("impact-to").value);
  try {
    const response = await fetch(`/v1/impact?${params}`, { method: "POST", headers: { "content-type": type }, body });
    const data = await response.json();
    if (!response.ok) throw new Error(`${data.field ? data.field + ": " : ""}${data.detail}`);
    state.impact = true;
    renderImpact(data);
  } catch (error) {
    state.impact = false;
    $("impact-out").hidden = true;
    impactError(`${T("page.not_valid")}\n${error.message}`);
  }
}

function renderImpact(data) {
  const summary = data.summary;
  $("impact-out").hidden = false;
  $("impact-counts").textContent = T("page.impact_counts", { ...summary, change: delta(summary.total.change) })
    + (data.rows.length ? "" : ` ${T("page.impact_none")}`);
  // Who gains first, who loses last: by the change of the upper total, then the lower, then id.
  const rows = [...data.rows].sort((a, b) => b.delta_max - a.delta_max || b.delta_min - a.delta_min || (a.id < b.id ? -1 : 1));
  const total = (row, side) => money({ min: row[`${side}_total_min`], max: row[`${side}_total_max`], open_above: row.open_above });
  $("impact-rows").querySelector("tbody").replaceChildren(...rows.map((row) => el("tr", { class: row.direction },
    cell(T("page.id"), row.id), cell(T("page.name"), row.name || ""),
    cell(T("page.impact_before"), total(row, "from"), { class: "amount" }),
    cell(T("page.impact_after"), total(row, "to"), { class: "amount" }),
    cell(T("page.impact_change"), delta({ min: row.delta_min, max: row.delta_max }), { class: "amount change" }),
    cell(T("page.impact_why"), row.changes))));
  $("impact-districts").querySelector("tbody").replaceChildren(...Object.entries(summary.by_paying_district).map(
    ([district, c]) => el("tr", {}, cell(T("column.paid_by"), N("district", district)),
      cell(T("page.impact_before"), money(c.from), { class: "amount" }),
      cell(T("page.impact_after"), money(c.to), { class: "amount" }),
      cell(T("page.impact_change"), delta(c.change), { class: "amount change" }))));
  errorRows("impact", data.errors);
}

async function runText(text) {
  showError("");
  const kind = rowsKind(text);
  if (kind) {  // rows of a sheet, pasted where a record goes: evaluated as rows
    $("batch-text").value = text;
    await runBatch(text, kind);
    showError(T("page.batch_moved"));
    $("batch").scrollIntoView();
    return;
  }
  try {
    const record = await call("POST", "/v1/record", text, "text/plain");
    fillForm(record);
    await run(record);
  } catch (error) {
    clearResults();
    showError(`${T("page.not_valid")}\n${error.message}`);
  }
}

// A file input as the browser draws it says "Choose File / No file chosen" in the browser's own
// language: each is drawn as a button and a file name in the page's words instead (the input
// itself stays, out of sight, for the file dialog and for keyboard users through the button).
function dressFileInputs() {
  for (const input of document.querySelectorAll("input[type=file]:not([data-dressed])")) {
    input.dataset.dressed = "true";
    input.classList.add("file-input");
    input.tabIndex = -1;
    const button = el("button", { type: "button", class: "small file-choose", "data-i18n": "page.choose_file" },
                      T("page.choose_file"));
    const chosen = el("span", { class: "file-name", "data-i18n": "page.no_file" }, T("page.no_file"));
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      const file = input.files[0];
      if (file) chosen.removeAttribute("data-i18n"); else chosen.setAttribute("data-i18n", "page.no_file");
      chosen.textContent = file ? file.name : T("page.no_file");
    });
    input.after(button, chosen);
  }
}

async function start() {
  dressFileInputs();
  state.register = await (await fetch("/v1/readings")).json();
  let lang = null;
  try { lang = localStorage.getItem("zjtx-lang"); } catch (error) { /* private mode */ }
  lang = lang || ((navigator.languages || [navigator.language]).find((l) => /^(zh|en)/i.test(l)) || "zh").slice(0, 2).toLowerCase();
  await setLang(lang);
  for (const button of document.querySelectorAll(".lang button")) button.addEventListener("click", () => setLang(button.dataset.lang));
  state.examples = await (await fetch("/v1/examples")).json();
  for (const example of state.examples) $("example").append(option(example.name, example.name));
  $("example").addEventListener("change", () => {
    const chosen = state.examples.find((e) => e.name === $("example").value);
    if (chosen) {
      $("record").value = JSON.stringify(chosen.record, null, 2);
      fillForm(chosen.record);
      run(chosen.record);
    }
  });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (file && fileKind(file)) {  // a sheet chosen where a record goes: its rows, not its bytes
      await runBatch(file, fileKind(file));
      showError(T("page.batch_moved"));
      $("batch").scrollIntoView();
    } else if (file) {
      $("record").value = await file.text();
      runText($("record").value);
    }
  });
  $("batch-upload").addEventListener("change", async () => {
    const file = $("batch-upload").files[0];
    if (file) await runBatch(file, fileKind(file) || rowsKind(await file.text(), true) || "text/csv");
  });
  $("batch-run").addEventListener("click", () => {
    const text = $("batch-text").value;
    runBatch(text, rowsKind(text, true) || "text/csv");
  });
  $("batch-download").addEventListener("click", downloadBatch);
  $("evidence").addEventListener("click", downloadEvidence);
  $("rec-run").addEventListener("click", () => runRecognitions());
  $("rec-worklist").addEventListener("click", () => state.recognitions && downloadBase64(state.recognitions.data.worklist_xlsx, "zjtx-new-claims.xlsx"));
  $("rec-updated").addEventListener("click", () => state.recognitions && downloadBase64(state.recognitions.data.updated_xlsx, "zjtx-registry-updated.xlsx"));
  await fillPackages();
  $("impact-run").addEventListener("click", runImpact);
  $("impact-upload").addEventListener("change", runImpact);
  let resized = null;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(() => state.ranking && !$("filled").hidden && renderRanking(state.ranking), 150);
  });
  $("f-add-recognition").addEventListener("click", () => addRecognition());
  if (!document.querySelector("#f-recognitions .recognition")) addRecognition();
  $("f-add-move").addEventListener("click", () => addMove());
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const record = recordFromForm();
    $("record").value = JSON.stringify(record, null, 2);
    run(record);
  });
  $("evaluate").addEventListener("click", () => runText($("record").value));
  for (const id of ["wi-tier", "wi-tier-date", "wi-district", "wi-move-date", "wl-date"]) {
    $(id).addEventListener("change", () => state.record && run(state.record));
  }
  // The bundled Chinese font (first in every font list for the CJK ranges, font-display: block):
  // ready means loaded, so that nothing is ever drawn in boxes while it comes.
  await document.fonts.load('1em "zjtx CJK"', "中文");
  await document.fonts.ready;
  document.body.dataset.ready = "true";
}

start();
