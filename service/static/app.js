// zjtx planner page: plain JavaScript, no build step, talks only to this server's /v1 API.
"use strict";

const DISTRICTS = ["dongcheng", "xicheng", "chaoyang", "haidian", "fengtai", "shijingshan",
  "mentougou", "fangshan", "tongzhou", "shunyi", "changping", "daxing", "huairou", "pinggu",
  "miyun", "yanqing"];
const $ = (id) => document.getElementById(id);
const yuan = (n) => n.toLocaleString("en-US");
const money = (m) => (m.min === m.max ? yuan(m.max) : `${yuan(m.min)} – ${yuan(m.max)}`) + (m.open_above ? " or more" : "");
let examples = [];
let register = {};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function showError(text) {
  $("error").hidden = !text;
  $("error").textContent = text || "";
}

async function call(method, path, body) {
  const params = new URLSearchParams();
  for (const key of Object.keys(register)) {
    const value = $(`reading-${key}`).value;
    if (value !== register[key].default) params.set(key, value);
  }
  const query = params.toString() ? `?${params}` : "";
  const response = await fetch(path + query, {
    method, headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json();
  if (!response.ok) {
    throw new Error(`${data.title}: ${data.field ? data.field + ": " : ""}${data.detail}`);
  }
  return data;
}

// The record in the text box, with the what-if toggles applied.
function currentRecord() {
  let record;
  try {
    record = JSON.parse($("record").value);
  } catch (error) {
    throw new Error(`the record is not valid JSON: ${error.message}`);
  }
  const tier = $("wi-tier").value;
  if (tier) {
    const date = $("wi-tier-date").value || record.as_of;
    record.recognitions = [...(record.recognitions || []), { tier, date }];
  }
  const district = $("wi-district").value;
  if (district && district !== record.district) {
    const date = $("wi-move-date").value;
    if (!date) throw new Error("pick the move date");
    record.moves = [...(record.moves || []), { from: record.district, to: district, date }];
    record.district = district;
  }
  return record;
}

function awardRow(award) {
  return el("tr", { class: award.status },
    el("td", {}, String(award.claim_year)), el("td", {}, award.title), el("td", {}, award.tier || ""),
    el("td", { class: "amount" }, money(award.amount)), el("td", {}, award.paid_by), el("td", {}, award.status),
    el("td", {}, el("span", { class: "clause" }, `“${award.clause}”`), el("br"),
      `${award.contact}, tel ${award.tel}`));
}

function renderEvaluation(result) {
  $("total").textContent = `${money(result.total)} yuan (of which earlier claim years: ${money(result.by_status.past)})`;
  const body = $("awards").querySelector("tbody");
  const current = result.awards.filter((award) => award.status !== "past");
  const past = result.awards.filter((award) => award.status === "past");
  body.replaceChildren(...current.map(awardRow));
  if (!current.length) body.append(el("tr", {}, el("td", { colspan: "7" }, "no award")));
  // Past claims apart: nobody should mistake them for money to come.
  $("past").querySelector("tbody").replaceChildren(...past.map(awardRow));
  $("past").hidden = $("past-title").hidden = !past.length;
  $("timeline").replaceChildren(...result.timeline.map((year) => el("li", {},
    el("strong", {}, `${year.year}: ${money(year.total)}`), " — ",
    year.claims.map((c) => `${c.title}${c.tier ? " " + c.tier : ""} ${money(c.amount)} from ${c.paid_by}` +
      ` (${c.status === "past" ? "earlier year: check with the office whether it was paid" : c.status}), tel ${c.tel}`).join("; "))));
  $("not-awarded").replaceChildren(...result.not_awarded.map((item) =>
    el("li", {}, el("strong", {}, item.title), ": ", item.reasons.map((r) => r.text).join("; "))));
}

function renderRanking(ranking) {
  const svg = $("ranking");
  const rows = ranking.ranking;
  const top = Math.max(1, ...rows.map((r) => r.total.max));
  const height = 24, left = 130, width = 420;
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
  rows.forEach((row, i) => {
    const y = i * height + 5;
    const current = row.district === ranking.current_district;
    const colour = current ? "#c0392b" : "#2c6fbb";
    make("text", { x: left - 6, y: y + 15, "text-anchor": "end", "font-size": "12" },
      row.district + (current ? " (current)" : ""));
    make("rect", { class: "bar", "data-district": row.district, x: left, y, height: height - 6,
      width: (width * row.total.max) / top, fill: colour, "fill-opacity": "0.3" });
    make("rect", { x: left, y, height: height - 6, width: (width * row.total.min) / top, fill: colour });
    make("text", { x: left + (width * row.total.max) / top + 6, y: y + 15, "font-size": "11" }, money(row.total));
  });
  const [first, last] = ranking.horizon;
  $("ranking-note").textContent = `move on ${ranking.move_date}, claims ${first}–${last}; winner ${rows[0].district}`;
}

// The worklist for the record on the chosen day (default: the record's as_of, else today).
async function refreshWorklist(record) {
  const day = $("wl-date").value || record.as_of || new Date().toISOString().slice(0, 10);
  const result = await call("POST", "/v1/worklist", { records: [record], date: day });
  const body = $("worklist").querySelector("tbody");
  body.replaceChildren(...result.actions.map((a) => el("tr", { class: a.kind },
    el("td", {}, a.deadline || "—"),
    el("td", {}, `${a.kind} ${a.subject} (${a.status})`),
    el("td", { class: "amount" }, money({ min: a.amount_min, max: a.amount_max, open_above: a.open_above })),
    el("td", {}, `${a.office}, tel ${a.tel}`), el("td", {}, a.note))));
  if (!result.actions.length) body.append(el("tr", {}, el("td", { colspan: "5" }, `nothing to do on ${day}`)));
}

async function refresh() {
  showError("");
  try {
    const record = currentRecord();
    const evaluation = await call("POST", "/v1/evaluate", record);
    renderEvaluation(evaluation);
    await refreshWorklist(record);
    const base = JSON.parse($("record").value);
    const plan = { record: $("wi-tier").value ? { ...base, recognitions: currentRecord().recognitions } : base };
    if ($("wi-move-date").value) plan.move_date = $("wi-move-date").value;
    renderRanking(await call("POST", "/v1/best-district", plan));
  } catch (error) {
    showError(error.message);
  }
}

async function start() {
  for (const district of DISTRICTS) $("wi-district").append(el("option", { value: district }, district));
  register = await (await fetch("/v1/readings")).json();
  for (const [key, spec] of Object.entries(register)) {
    const select = el("select", { id: `reading-${key}`, title: spec.about });
    for (const value of Object.keys(spec.alternatives)) select.append(el("option", { value }, value));
    select.value = spec.default;
    select.addEventListener("change", refresh);
    $("readings").append(el("label", {}, `${key} `, select));
  }
  examples = await (await fetch("/v1/examples")).json();
  for (const example of examples) $("example").append(el("option", { value: example.name }, example.name));
  $("example").addEventListener("change", () => {
    const chosen = examples.find((e) => e.name === $("example").value);
    if (chosen) {
      $("record").value = JSON.stringify(chosen.record, null, 2);
      refresh();
    }
  });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (file) {
      $("record").value = await file.text();
      refresh();
    }
  });
  for (const id of ["wi-tier", "wi-tier-date", "wi-district", "wi-move-date", "wl-date"]) $(id).addEventListener("change", refresh);
  $("evaluate").addEventListener("click", refresh);
}

start();
