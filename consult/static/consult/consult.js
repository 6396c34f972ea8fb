// wagtail-consult: progressive enhancement of the consultation page.
// Without this script every form still works by a plain POST; with it,
// the ballot form posts its own fields and asks for JSON (the server's
// voting method reads them, as for a plain post), and results follow the
// websocket live.
// Every string shown comes from the templates' data- attributes (translated).

import { liveSocket } from "./socket.js";

const lang = document.documentElement.lang || undefined;

// Fill "%(name)s" placeholders of a translated string.
function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

function formatNumber(value, { min = 0, max = min } = {}) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: min, maximumFractionDigits: max }).format(value);
}

// As the money template filter: grouped for the language, then the currency code.
function formatMoney(value, currency) {
  const places = Number.isInteger(value) ? 0 : 2;
  const number = formatNumber(value, { min: places, max: places });
  return currency ? `${number}\u00a0${currency}` : number;
}

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

class Announcer {
  // One polite live region; bursts of updates are merged so a screen reader
  // user hears one short sentence, not a stream of numbers.
  constructor(element) {
    this.element = element;
    this.timer = null;
  }

  say(text, { now = false } = {}) {
    clearTimeout(this.timer);
    const speak = () => {
      this.element.textContent = "";
      // A fresh text node after a tick is announced even if the text repeats.
      setTimeout(() => { this.element.textContent = text; }, 50);
    };
    if (now) speak(); else this.timer = setTimeout(speak, 1500);
  }
}

// Ranked ballot: move-up/move-down buttons next to each option's rank
// <select>. Ranked options are kept first, in rank order, numbered 1..n
// without gaps or ties; the selects stay the source of truth for the post.
class Ranking {
  constructor(fieldset, announcer) {
    this.fieldset = fieldset;
    this.announcer = announcer;
    this.container = fieldset.querySelector("[data-rank-rows]");
    this.rows = [...this.container.querySelectorAll("[data-rank-row]")];
    for (const row of this.rows) {
      const name = this.label(row);
      const moves = document.createElement("span");
      moves.className = "consult-rank__moves";
      for (const [step, text] of [[-1, fieldset.dataset.labelUp], [1, fieldset.dataset.labelDown]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "consult-button consult-button--small";
        button.dataset.step = String(step);
        const hidden = document.createElement("span");
        hidden.className = "consult-visually-hidden";
        hidden.textContent = `: ${name}`;
        button.append(text, hidden); // visible text stays the start of the accessible name
        button.addEventListener("click", () => this.move(row, step, button));
        moves.append(button);
      }
      row.append(moves);
      this.select(row).addEventListener("change", () => this.place(row));
    }
    this.render(this.ranked());
  }

  select(row) { return row.querySelector("select"); }

  label(row) { return row.querySelector("label").textContent.trim(); }

  rank(row) {
    const value = this.select(row).value;
    return /^\d+$/.test(value) ? Number(value) : null;
  }

  // Rows with a rank, by rank (equal ranks keep the option order).
  ranked() {
    return this.rows
      .filter((row) => this.rank(row) !== null)
      .sort((a, b) => this.rank(a) - this.rank(b) || a.dataset.position - b.dataset.position);
  }

  move(row, step, button) {
    if (button.getAttribute("aria-disabled") === "true") return;
    const ranked = this.ranked();
    const at = ranked.indexOf(row);
    if (at === -1) {
      ranked.push(row); // "move up" on an unranked option ranks it last
    } else {
      [ranked[at], ranked[at + step]] = [ranked[at + step], ranked[at]];
    }
    this.render(ranked);
    button.focus(); // moving the row's node dropped the focus
    this.announce(row);
  }

  place(row) {
    const wanted = this.rank(row);
    const ranked = this.ranked().filter((other) => other !== row);
    if (wanted !== null) ranked.splice(Math.min(wanted - 1, ranked.length), 0, row);
    this.render(ranked);
    this.select(row).focus();
    this.announce(row);
  }

  render(ranked) {
    const unranked = this.rows.filter((row) => !ranked.includes(row));
    ranked.forEach((row, index) => {
      this.select(row).value = String(index + 1);
      this.disable(row, -1, index === 0);
      this.disable(row, 1, index === ranked.length - 1);
    });
    for (const row of unranked) {
      this.select(row).value = "";
      this.disable(row, -1, false);
      this.disable(row, 1, true);
    }
    for (const row of [...ranked, ...unranked]) this.container.append(row);
  }

  // aria-disabled, not disabled: the button keeps focus when it hits an end.
  disable(row, step, disabled) {
    row.querySelector(`button[data-step="${step}"]`).setAttribute("aria-disabled", String(disabled));
  }

  announce(row) {
    const rank = this.rank(row);
    const data = this.fieldset.dataset;
    const text = rank === null
      ? interpolate(data.msgUnranked, { option: this.label(row) })
      : interpolate(data.msgRank, { option: this.label(row), rank });
    this.announcer.say(text, { now: true });
  }
}

// Budget ballot: a running total of the ticked options' costs.
class BudgetMeter {
  constructor(fieldset) {
    this.fieldset = fieldset;
    this.budget = Number(fieldset.dataset.consultBudget);
    this.line = fieldset.querySelector("[data-consult-budget-total]");
    this.output = this.line.querySelector("output");
    fieldset.addEventListener("change", () => this.update());
    this.line.hidden = false;
    this.update();
  }

  update() {
    let spent = 0;
    for (const box of this.fieldset.querySelectorAll("input[type=checkbox]:checked")) {
      spent += Number(box.dataset.cost) || 0;
    }
    const left = this.budget - spent;
    const data = this.fieldset.dataset;
    const money = (value) => formatMoney(value, data.currency);
    this.output.textContent = interpolate(left < 0 ? data.msgOver : data.msgTotal, {
      spent: money(spent),
      budget: money(this.budget),
      left: money(left),
      over: money(-left),
    });
    this.line.classList.toggle("consult-budget-total--over", left < 0);
  }
}

class ResultsView {
  constructor(article) {
    this.article = article;
    this.version = -1;
  }

  share(votes, ballots) {
    return ballots ? (100 * votes) / ballots : 0;
  }

  // Results published when voting closes wait as a hidden, all-zero table.
  get awaitingResults() {
    const table = this.article.querySelector("[data-consult-tally]");
    return Boolean(table && table.hidden);
  }

  apply(message) {
    // The tally published at the close carries the version of the last
    // turnout (no ballot came between): it is news all the same.
    const publishing = message.type === "tally" && this.awaitingResults;
    if (message.version !== undefined) {
      if (message.version <= this.version && !publishing) return false;
      this.version = Math.max(this.version, message.version);
    }
    for (const node of this.article.querySelectorAll("[data-ballots]")) {
      node.textContent = String(message.ballots);
    }
    if (message.type !== "tally") return true;
    const table = this.article.querySelector("[data-consult-tally]");
    if (!table) return true;
    if (publishing) {
      for (const node of this.article.querySelectorAll("[data-consult-tally], [data-consult-tally-box], [data-consult-runoff]")) {
        node.hidden = false;
      }
      for (const node of this.article.querySelectorAll("[data-consult-turnout]")) node.hidden = true;
    }
    for (const entry of message.results) {
      const row = table.querySelector(`tbody tr[data-key="${CSS.escape(entry.key)}"]`);
      if (row) this.applyEntry(table, row, entry, message.ballots);
    }
    const runoff = this.article.querySelector("[data-consult-runoff]");
    if (runoff && message.rounds) this.drawRunoff(runoff, message);
    return true;
  }

  applyEntry(table, row, entry, ballots) {
    const set = (field, text) => {
      const node = row.querySelector(`[data-${field}]`);
      if (node) node.textContent = text;
    };
    set("votes", String(entry.votes));
    set("share", `${formatNumber(this.share(entry.votes, ballots), { max: 1 })}\u00a0%`);
    let bar = this.share(entry.votes, ballots);
    if ("mean" in entry) {
      const max = Number(table.dataset.maxScore) || 1;
      set("mean", entry.mean === null ? table.dataset.msgNoMean : formatNumber(entry.mean, { min: 2 }));
      set("sum", String(entry.sum));
      set("count", String(entry.count));
      bar = entry.mean === null ? 0 : (100 * entry.mean) / max;
    }
    if ("funded" in entry) {
      set("cost", formatMoney(entry.cost, table.dataset.currency));
      set("funded", entry.funded ? table.dataset.msgFunded : table.dataset.msgUnfunded);
      row.querySelector(".consult-funded-mark").hidden = !entry.funded;
    }
    const span = row.querySelector(".consult-bar > span");
    if (span) span.style.setProperty("--consult-share", `${bar.toFixed(1)}%`);
  }

  // Redraw the instant-runoff rounds and winner as results.html does.
  drawRunoff(runoff, message) {
    const data = runoff.dataset;
    const labels = new Map(message.results.map((entry) => [entry.key, entry.label]));
    const winner = runoff.querySelector("[data-consult-winner]");
    if (message.winner !== null && labels.has(message.winner)) {
      const name = document.createElement("strong");
      name.textContent = labels.get(message.winner);
      winner.replaceChildren(`${data.msgWinner} `, name);
    } else {
      winner.textContent = data.msgNoWinner;
    }
    const region = runoff.querySelector(".consult-scroll");
    region.hidden = message.rounds.length === 0;
    const table = region.querySelector("table");
    const head = table.tHead.rows[0];
    head.replaceChildren(head.cells[0]);
    message.rounds.forEach((round, index) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = interpolate(data.msgRound, { n: index + 1 });
      head.append(th);
    });
    const body = table.tBodies[0];
    const exhausted = body.querySelector("tr[data-exhausted]");
    const last = message.rounds.length - 1;
    const rows = message.results.map((entry) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = entry.label;
      tr.append(th);
      message.rounds.forEach((round, index) => {
        const won = index === last && message.winner === entry.key;
        tr.append(this.roundCell(round, entry.key, won, data));
      });
      return tr;
    });
    exhausted.replaceChildren(exhausted.cells[0], ...message.rounds.map((round) => {
      const td = document.createElement("td");
      td.className = "consult-num";
      td.textContent = String(round.exhausted);
      return td;
    }));
    body.replaceChildren(...rows, exhausted);
  }

  roundCell(round, key, won, data) {
    const td = document.createElement("td");
    td.className = "consult-num";
    if (!(key in round.counts)) {
      const dash = document.createElement("span");
      dash.setAttribute("aria-hidden", "true");
      dash.textContent = "–";
      const text = document.createElement("span");
      text.className = "consult-visually-hidden";
      text.textContent = data.msgOut;
      td.append(dash, text);
      return td;
    }
    td.append(String(round.counts[key]));
    if (round.eliminated === key || won) {
      const mark = document.createElement(won ? "strong" : "em");
      mark.textContent = won ? data.msgWon : data.msgEliminated;
      td.append(" ", mark);
    }
    return td;
  }
}

// While the socket is down, results are fetched over HTTP this often (ms).
const POLL_EVERY = 15000;
// After a ballot, an update newer than what the page showed is expected
// within this time (ms); otherwise the page asks for fresh snapshots.
const EXPECT_UPDATE_WITHIN = 3000;

// The page as the server renders it now, to take fresh parts from.
async function freshPage() {
  const response = await fetch(window.location.href, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) throw new Error(String(response.status));
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

class ConsultationPage {
  constructor(element) {
    this.element = element;
    this.apiBase = element.dataset.apiBase;
    this.announcer = new Announcer(element.querySelector("[data-consult-announcer]"));
    // A question may be shown twice (its section and a live-results block).
    this.views = new Map();
    for (const article of element.querySelectorAll("[data-question]")) {
      const id = Number(article.dataset.question);
      if (!this.views.has(id)) this.views.set(id, []);
      this.views.get(id).push(new ResultsView(article));
    }
    this.phaseVersion = Number(element.dataset.phaseVersion) || 0;
    this.nextPhaseAt = Number(element.dataset.nextPhaseAt) || 0;
    this.pollTimer = null;
    this.live = element.dataset.wsPath ? liveSocket(element.dataset.wsPath) : null;
  }

  start() {
    this.enhance(this.element);
    if (!this.live) return;
    const followsPhases = this.element.dataset.phaseVersion !== undefined;
    if (!this.views.size && !followsPhases) return;
    this.live.on("open", () => {
      this.stopPolling(); // the snapshots the server sends now bring the page up to date
      // A phase boundary passed while the socket was down: its message is lost.
      if (followsPhases && this.nextPhaseAt && Date.now() / 1000 >= this.nextPhaseAt) this.followPhase();
    });
    this.live.on("down", ({ retry, tooMany }) => {
      if (retry === 2) this.announcer.say(this.element.dataset.msgOffline);
      if (retry >= 2 || tooMany) this.startPolling();
    });
    for (const type of ["tally", "turnout"]) this.live.on(type, (message) => this.receive(message));
    if (followsPhases) {
      this.live.on("phase", (message) => {
        if (message.consultation === Number(this.element.dataset.consultPage) && message.version > this.phaseVersion) {
          this.followPhase();
        }
      });
    }
    this.live.start();
  }

  // Ballot forms and their widgets, in the page or in a part just replaced.
  enhance(root) {
    for (const form of root.querySelectorAll("form[data-consult-ballot]")) {
      form.addEventListener("submit", (event) => this.submit(event, form));
    }
    for (const fieldset of root.querySelectorAll("[data-consult-ranking]")) {
      new Ranking(fieldset, this.announcer);
    }
    for (const fieldset of root.querySelectorAll("[data-consult-budget]")) {
      if (fieldset.dataset.consultBudget !== "") new BudgetMeter(fieldset);
    }
  }

  // Replace the page's parts marked data-consult-swap (or only those with
  // the given ids) by the server's current ones, keeping the focus where it
  // was when that element still exists.
  async swap(ids = null) {
    const fresh = await freshPage();
    const focused = document.activeElement;
    let focusLost = false;
    for (const old of this.element.querySelectorAll("[data-consult-swap]")) {
      if (ids && !ids.includes(old.id)) continue;
      const replacement = fresh.getElementById(old.id);
      if (!replacement) continue;
      const node = document.importNode(replacement, true);
      if (old.contains(focused)) focusLost = true;
      old.replaceWith(node);
      this.enhance(node);
    }
    const root = fresh.querySelector(`[data-consult-page="${CSS.escape(this.element.dataset.consultPage)}"]`);
    if (root && !ids) {
      this.phaseVersion = Number(root.dataset.phaseVersion) || 0;
      this.nextPhaseAt = Number(root.dataset.nextPhaseAt) || 0;
    }
    if (focusLost && focused.id && document.getElementById(focused.id)) document.getElementById(focused.id).focus();
    return focusLost && !(focused.id && document.getElementById(focused.id));
  }

  async followPhase() {
    let focusLost;
    try {
      focusLost = await this.swap();
    } catch {
      return; // offline: the next phase message or reconnection tries again
    }
    const status = this.element.querySelector("[data-consult-status]");
    if (status) {
      const results = this.element.querySelector("[data-consult-tally]:not([hidden])");
      const text = status.dataset.consultStatus === "closed" && results
        ? this.element.dataset.msgPublished
        : `${this.element.dataset.msgPhase} ${status.textContent.trim()}`;
      this.announcer.say(text, { now: true });
      if (focusLost) status.focus();
    }
    this.resync();
  }

  feedback(article, text, kind) {
    const box = article.querySelector("[data-consult-feedback]");
    if (!box) return;
    const line = document.createElement("p");
    line.className = `consult-message consult-message--${kind}`;
    line.textContent = text;
    box.replaceChildren(line);
    box.focus();
  }

  async submit(event, form) {
    const article = form.closest("[data-question]");
    if (!window.fetch) return; // the plain form post handles it
    event.preventDefault();
    const question = article.dataset.question;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const view = this.views.get(Number(question));
    const shown = view ? view.version : -1;
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
        body: new FormData(form),
      });
    } catch {
      form.submit(); // network trouble: fall back to the plain post
      return;
    }
    button.disabled = false;
    if (!response.ok) {
      const reply = await response.json().catch(() => ({}));
      this.feedback(article, reply.detail || response.statusText, "error");
      return;
    }
    const text = this.element.dataset[response.status === 201 ? "msgCounted" : "msgChanged"];
    // The ballot part as the server shows it now: the own ballot (or the
    // secret-ballot note), the withdraw step, "Change my vote".
    try {
      await this.swap([`q${question}-ballot`]);
    } catch {
      const retract = article.querySelector("[data-consult-retract]");
      if (retract) retract.hidden = false;
      button.textContent = button.dataset.labelVoted;
    }
    this.feedback(article, text, "success");
    // Live updates are at-most-once: if ours does not come, ask for it.
    if (view) {
      setTimeout(() => { if (view.version <= shown) this.resync(); }, EXPECT_UPDATE_WITHIN);
    }
  }

  resync() {
    if (!this.live || !this.live.resync()) this.poll();
  }

  startPolling() {
    if (this.pollTimer !== null) return;
    const tick = () => {
      this.poll();
      this.pollTimer = setTimeout(tick, POLL_EVERY * (0.75 + Math.random() / 2));
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  async poll() {
    if (document.hidden) return;
    for (const [question, view] of this.views) {
      if (view.resultsHidden) continue;
      try {
        const response = await fetch(`${this.apiBase}questions/${question}/tally/`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        // results_hidden: nothing to poll, unless they come out at the close.
        if (response.status === 403 && !view.awaitingResults) view.resultsHidden = true;
        if (!response.ok) continue;
        const tally = await response.json();
        this.announce(view.awaitingResults, view.apply({ type: "tally", ...tally }));
      } catch {
        return; // offline: the next tick tries again
      }
    }
  }

  receive(message) {
    const views = this.views.get(message.question) || [];
    const publishing = message.type === "tally" && views.some((view) => view.awaitingResults);
    const applied = views.map((view) => view.apply(message)).some(Boolean);
    if (message.type === "tally") this.announce(publishing, applied);
  }

  announce(published, applied) {
    if (published && applied) this.announcer.say(this.element.dataset.msgPublished, { now: true });
    else if (applied) this.announcer.say(this.element.dataset.msgUpdated);
  }
}

// "Copy link": shown only where the clipboard can be written.
for (const box of document.querySelectorAll("[data-consult-copy]")) {
  if (!navigator.clipboard) continue;
  box.hidden = false;
  const done = box.querySelector(".consult-copy__done");
  box.querySelector("button").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(box.dataset.consultCopy);
      done.textContent = box.dataset.msgCopied;
    } catch {
      done.textContent = box.dataset.consultCopy; // shown to copy by hand
    }
  });
}

// The time left to vote, kept current (the server's text is the fallback).
// Queried on every tick: a phase change may have replaced the header.
function tickCountdowns() {
  if (!Intl.DurationFormat) return false;
  for (const time of document.querySelectorAll("time[data-consult-countdown]")) {
    const left = Math.max(0, Math.floor((Date.parse(time.dateTime) - Date.now()) / 1000));
    const days = Math.floor(left / 86400);
    const hours = Math.floor((left % 86400) / 3600);
    const minutes = Math.floor((left % 3600) / 60);
    const parts = days ? { days, hours } : hours ? { hours, minutes } : { minutes, seconds: left % 60 };
    time.textContent = new Intl.DurationFormat(lang, { style: "long" }).format(parts);
  }
  return true;
}
if (document.querySelector("time[data-consult-countdown]") && tickCountdowns()) setInterval(tickCountdowns, 1000);

// Outside a consultation page, each results block is a root of its own.
for (const root of document.querySelectorAll("[data-consult-page]")) {
  if (!root.parentElement?.closest("[data-consult-page]")) new ConsultationPage(root).start();
}
