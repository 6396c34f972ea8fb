// wagtail-consult: progressive enhancement of the consultation page.
// Without this script every form still works by a plain POST; with it,
// the ballot form posts its own fields and asks for JSON (the server's
// voting method reads them, as for a plain post), and results follow the
// websocket live.
// Every string shown comes from the templates' data- attributes (translated).

const lang = document.documentElement.lang || undefined;

// Fill "%(name)s" placeholders of a translated string.
function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

function formatNumber(value, { min = 0, max = min } = {}) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: min, maximumFractionDigits: max }).format(value);
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
    this.output.textContent = interpolate(left < 0 ? data.msgOver : data.msgTotal, {
      spent: formatNumber(spent),
      budget: formatNumber(this.budget),
      left: formatNumber(left),
      over: formatNumber(-left),
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
      for (const node of this.article.querySelectorAll("[data-consult-tally], [data-consult-runoff]")) {
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
      set("cost", String(entry.cost));
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

// Websocket close codes the server uses (see docs/reference/websocket.md).
const CLOSE_BAD_FRAME = 4400;
const CLOSE_NOT_FOUND = 4404;
const CLOSE_IDLE = 4408;
const CLOSE_TOO_MANY = 4429;
// While the socket is down, results are fetched over HTTP this often (ms).
const POLL_EVERY = 15000;
// After a ballot, an update newer than what the page showed is expected
// within this time (ms); otherwise the page asks for fresh snapshots.
const EXPECT_UPDATE_WITHIN = 3000;

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
    this.retry = 0;
    this.socket = null;
    this.pollTimer = null;
    this.reconnectTimer = null;
  }

  start() {
    for (const form of this.element.querySelectorAll("form[data-consult-ballot]")) {
      form.addEventListener("submit", (event) => this.submit(event, form));
    }
    for (const fieldset of this.element.querySelectorAll("[data-consult-ranking]")) {
      new Ranking(fieldset, this.announcer);
    }
    for (const fieldset of this.element.querySelectorAll("[data-consult-budget]")) {
      if (fieldset.dataset.consultBudget !== "") new BudgetMeter(fieldset);
    }
    if (this.views.size) {
      document.addEventListener("visibilitychange", () => this.visibilityChanged());
      this.connect();
    }
  }

  async submit(event, form) {
    const article = form.closest("[data-question]");
    if (!window.fetch) return; // the plain form post handles it
    event.preventDefault();
    const question = article.dataset.question;
    const error = form.querySelector("[data-consult-error]");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.hidden = true;
    const view = this.views.get(Number(question));
    const shown = view ? view.version : -1;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
        body: new FormData(form),
      });
      if (response.ok) {
        const key = response.status === 201 ? "msgCounted" : "msgChanged";
        this.announcer.say(this.element.dataset[key], { now: true });
        article.querySelector("[data-consult-voted]").hidden = false;
        const reply = await response.json().catch(() => ({}));
        const receipt = article.querySelector("[data-consult-receipt]");
        if (receipt && reply.receipt) {
          receipt.querySelector("[data-consult-receipt-code]").textContent =
            reply.receipt.match(/.{1,4}/g).join("-");
          receipt.hidden = false;
        }
        const retract = article.querySelector("form[data-consult-retract]");
        if (retract) retract.hidden = false;
        button.textContent = button.dataset.labelVoted;
        // Live updates are at-most-once: if ours does not come, ask for it.
        if (view) {
          setTimeout(() => { if (view.version <= shown) this.resync(); }, EXPECT_UPDATE_WITHIN);
        }
        return;
      }
      const reply = await response.json().catch(() => ({}));
      error.textContent = reply.detail || response.statusText;
      error.hidden = false;
    } catch {
      form.submit(); // network trouble: fall back to the plain post
    } finally {
      button.disabled = false;
    }
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${this.element.dataset.wsPath}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retry = 0;
      this.stopPolling(); // the snapshots the server sends now bring the page up to date
    });
    socket.addEventListener("message", (event) => this.receive(event));
    socket.addEventListener("close", (event) => this.closed(event.code));
  }

  closed(code) {
    this.socket = null;
    if (code === CLOSE_NOT_FOUND || code === CLOSE_BAD_FRAME) return; // retrying cannot help
    if (code === CLOSE_IDLE) {
      // Closed for silence: come back at once if someone is looking, else
      // when the tab is shown again (visibilityChanged).
      if (!document.hidden) this.connect();
      return;
    }
    // Reconnect with exponential backoff and jitter, so a restarted worker
    // is not stampeded by every open page at once; when the server turned
    // us away for too many sockets, wait longer. Meanwhile results are polled.
    const cap = code === CLOSE_TOO_MANY ? 120000 : 30000;
    const delay = Math.min(cap, 1000 * 2 ** this.retry) * (0.5 + Math.random());
    this.retry += 1;
    if (this.retry === 2) this.announcer.say(this.element.dataset.msgOffline);
    if (this.retry >= 2 || code === CLOSE_TOO_MANY) this.startPolling();
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  visibilityChanged() {
    if (document.hidden) return;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      // A phone may have frozen the page and dropped updates meanwhile.
      this.resync();
    } else if (!this.socket && this.reconnectTimer === null) {
      this.connect();
    }
  }

  resync() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "resync" }));
    } else {
      this.poll();
    }
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

  receive(event) {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type !== "tally" && message.type !== "turnout") return;
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

// Outside a consultation page, each results block is a root of its own.
for (const root of document.querySelectorAll("[data-consult-page]")) {
  if (!root.parentElement?.closest("[data-consult-page]")) new ConsultationPage(root).start();
}
