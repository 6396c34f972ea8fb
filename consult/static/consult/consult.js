// wagtail-consult: progressive enhancement of the consultation page.
// Without this script every form still works by a plain POST; with it,
// ballots go through the JSON API and results follow the websocket live.

const root = document.querySelector("[data-consult-page]");

// Ballot bodies by method, built from the same fields the plain form posts.
const BODY_BUILDERS = {
  yes_no: (fields) => ({ choice: fields.get("choice") }),
  single: (fields) => ({ option: Number(fields.get("option")) }),
};

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function fieldsOf(form, prefix) {
  const fields = new Map();
  for (const [name, value] of new FormData(form)) {
    if (name.startsWith(prefix)) fields.set(name.slice(prefix.length), value);
  }
  return fields;
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

class ResultsView {
  constructor(article) {
    this.article = article;
    this.version = -1;
  }

  formatShare(votes, ballots) {
    const share = ballots ? (100 * votes) / ballots : 0;
    const lang = document.documentElement.lang || undefined;
    return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(share)}\u00a0%`;
  }

  apply(message) {
    if (message.version !== undefined) {
      if (message.version <= this.version) return false;
      this.version = message.version;
    }
    for (const node of this.article.querySelectorAll("[data-ballots]")) {
      node.textContent = String(message.ballots);
    }
    if (message.type !== "tally") return true;
    const tbody = this.article.querySelector(".consult-tally tbody");
    if (!tbody) return true;
    for (const entry of message.results) {
      const row = tbody.querySelector(`tr[data-key="${CSS.escape(entry.key)}"]`);
      if (!row) continue;
      row.querySelector("[data-votes]").textContent = String(entry.votes);
      row.querySelector("[data-share]").textContent = this.formatShare(entry.votes, message.ballots);
      const bar = row.querySelector(".consult-bar > span");
      if (bar) {
        const share = message.ballots ? (100 * entry.votes) / message.ballots : 0;
        bar.style.setProperty("--consult-share", `${share.toFixed(1)}%`);
      }
    }
    return true;
  }
}

class ConsultationPage {
  constructor(element) {
    this.element = element;
    this.apiBase = element.dataset.apiBase;
    this.announcer = new Announcer(element.querySelector("[data-consult-announcer]"));
    this.views = new Map();
    for (const article of element.querySelectorAll("[data-question]")) {
      this.views.set(Number(article.dataset.question), new ResultsView(article));
    }
    this.retry = 0;
  }

  start() {
    for (const form of this.element.querySelectorAll("form[data-consult-ballot]")) {
      form.addEventListener("submit", (event) => this.submit(event, form));
    }
    if (this.views.size) this.connect();
  }

  async submit(event, form) {
    const article = form.closest("[data-question]");
    const build = BODY_BUILDERS[article.dataset.method];
    if (!build || !window.fetch) return; // the plain form post handles it
    event.preventDefault();
    const question = article.dataset.question;
    const error = form.querySelector("[data-consult-error]");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.hidden = true;
    try {
      const response = await fetch(`${this.apiBase}questions/${question}/ballot/`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(form),
        },
        body: JSON.stringify(build(fieldsOf(form, `q${question}-`))),
      });
      if (response.ok) {
        const key = response.status === 201 ? "msgCounted" : "msgChanged";
        this.announcer.say(this.element.dataset[key], { now: true });
        article.querySelector("[data-consult-voted]").hidden = false;
        const retract = article.querySelector("form[data-consult-retract]");
        if (retract) retract.hidden = false;
        button.textContent = button.dataset.labelVoted;
        return;
      }
      const body = await response.json().catch(() => ({}));
      error.textContent = body.detail || response.statusText;
      error.hidden = false;
    } catch {
      form.submit(); // network trouble: fall back to the plain post
    } finally {
      button.disabled = false;
    }
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${this.element.dataset.wsPath}`);
    socket.addEventListener("open", () => { this.retry = 0; });
    socket.addEventListener("message", (event) => this.receive(event));
    socket.addEventListener("close", () => {
      // Reconnect with exponential backoff and jitter, so a restarted worker
      // is not stampeded by every open page at once.
      const delay = Math.min(30000, 1000 * 2 ** this.retry) * (0.5 + Math.random());
      this.retry += 1;
      if (this.retry === 2) this.announcer.say(this.element.dataset.msgOffline);
      setTimeout(() => this.connect(), delay);
    });
  }

  receive(event) {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type !== "tally" && message.type !== "turnout") return;
    const view = this.views.get(message.question);
    if (view && view.apply(message) && message.type === "tally") {
      this.announcer.say(this.element.dataset.msgUpdated);
    }
  }
}

if (root) new ConsultationPage(root).start();
