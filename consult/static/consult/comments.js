// wagtail-consult: live comments and supports (progressive enhancement).
//
// Without this script the pages work as they are: comments are posted by
// plain form POSTs and the page shows them after the redirect. With it, the
// page listens to the consultation's websocket:
//   {"type": "comments", "consultation": 3, "count": 412}
//     -> fetch the comments newer than the newest one shown, from the API,
//        and insert them (new threads on the first page; replies under their
//        parent) without touching any form, so what the reader is typing and
//        where the focus is stay as they are; a polite live region says so.
//   {"type": "supports", "proposal": 7, "supports": 88}
//     -> update every [data-supports-for="7"] counter.
// It shares the page's one connection with consult.js (socket.js).

import { liveSocket } from "./socket.js";

const ID_PLACEHOLDER = /__ID__/g;
const ATTRIBUTES = ["id", "for", "aria-describedby", "aria-labelledby", "value", "action", "href"];
const SAFE_SCHEMES = ["http:", "https:", "mailto:"];
const FETCH_PAGES = 5;

class Announcer {
  constructor(element) {
    this.element = element;
    this.timer = null;
  }

  say(text) {
    if (!this.element) return;
    clearTimeout(this.timer);
    // Merge bursts into one sentence; a fresh text node is announced again.
    this.timer = setTimeout(() => {
      this.element.textContent = "";
      setTimeout(() => { this.element.textContent = text; }, 50);
    }, 1000);
  }
}

// The API's body_html is escaped and allow-listed on the server; this copies
// only paragraphs, line breaks, text and http(s)/mailto links once more, so
// nothing else can reach the page even if that ever changed.
function safeFragment(html) {
  const source = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  const fragment = document.createDocumentFragment();
  const copy = (node, target) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        target.append(document.createTextNode(child.textContent));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const tag = child.tagName;
        if (tag === "BR") {
          target.append(document.createElement("br"));
        } else if (tag === "P") {
          const p = document.createElement("p");
          copy(child, p);
          target.append(p);
        } else if (tag === "A") {
          let url = null;
          try { url = new URL(child.getAttribute("href") || "", window.location.href); } catch { url = null; }
          if (url && SAFE_SCHEMES.includes(url.protocol)) {
            const a = document.createElement("a");
            a.href = url.href;
            a.rel = "nofollow ugc noopener noreferrer";
            copy(child, a);
            target.append(a);
          } else {
            copy(child, target);
          }
        } else {
          copy(child, target);
        }
      }
    }
  };
  copy(source, fragment);
  return fragment;
}

class Discussion {
  constructor(section) {
    this.section = section;
    this.api = section.dataset.commentsApi;
    this.proposal = section.dataset.proposal || "none";
    this.after = Number(section.dataset.after) || 0;
    this.firstPage = section.dataset.firstPage === "true";
    this.maxDepth = Number(section.dataset.maxDepth) || 3;
    this.threads = section.querySelector("[data-consult-threads]");
    this.template = section.querySelector("template[data-consult-comment-template]");
    this.count = section.querySelector("[data-comment-count]");
    this.announcer = new Announcer(section.querySelector("[data-comments-announcer]"));
    this.stances = new Map();
    const stances = section.querySelector("template[data-consult-stances]");
    if (stances) {
      for (const span of stances.content.querySelectorAll("[data-stance]")) {
        this.stances.set(span.dataset.stance, span.textContent);
      }
    }
    this.fetching = false;
    this.again = false;
  }

  changed() {
    // The message's count covers the whole consultation; this section counts
    // its own comments as they arrive.
    this.refresh();
  }

  async refresh() {
    if (!this.api || !window.fetch) return;
    if (this.fetching) { this.again = true; return; }
    this.fetching = true;
    let fresh = 0;
    try {
      let url = `${this.api}?${new URLSearchParams({ after: this.after, proposal: this.proposal, page_size: 100 })}`;
      for (let pages = 0; url && pages < FETCH_PAGES; pages += 1) {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) break;
        const body = await response.json();
        for (const comment of body.results || []) {
          this.after = Math.max(this.after, comment.id);
          if (comment.status !== "published" || comment.deleted) continue;
          if (document.getElementById(`comment-${comment.id}`)) continue;
          fresh += 1;
          this.insert(comment);
        }
        url = body.next;
      }
    } catch {
      // Offline for a moment: the next message or reconnection catches up.
    } finally {
      this.fetching = false;
    }
    if (fresh) {
      if (this.count) this.count.textContent = String(Number(this.count.textContent || 0) + fresh);
      const empty = this.section.querySelector("[data-consult-no-comments]");
      if (empty && this.threads && this.threads.children.length) empty.hidden = true;
      const key = fresh === 1 ? "msgOne" : "msgMany";
      this.announcer.say(this.section.dataset[key]);
    }
    if (this.again) { this.again = false; this.refresh(); }
  }

  insert(comment) {
    let list;
    if (comment.parent === null) {
      if (!this.firstPage || !this.threads) return false;
      list = this.threads;
    } else {
      const parent = document.getElementById(`comment-${comment.parent}`);
      if (!parent || !this.section.contains(parent)) return false;
      list = [...parent.children].find((child) => child.matches("ol.consult-replies"));
      if (!list) {
        list = document.createElement("ol");
        list.className = "consult-replies";
        list.dataset.repliesFor = String(comment.parent);
        parent.append(list);
      }
    }
    const item = this.build(comment);
    if (!item) return false;
    if (comment.parent === null) list.prepend(item); else list.append(item);
    return true;
  }

  build(comment) {
    if (!this.template) return null;
    const fragment = this.template.content.cloneNode(true);
    const id = String(comment.id);
    for (const element of fragment.querySelectorAll("*")) {
      for (const name of ATTRIBUTES) {
        const value = element.getAttribute(name);
        if (value && value.includes("__ID__")) element.setAttribute(name, value.replace(ID_PLACEHOLDER, id));
      }
    }
    const item = fragment.querySelector("li");
    const slot = (name) => item.querySelector(`[data-slot="${name}"]`);
    slot("author").textContent = comment.author;
    const time = slot("time");
    time.setAttribute("datetime", comment.created_at);
    const lang = document.documentElement.lang || undefined;
    try {
      time.textContent = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(comment.created_at));
    } catch {
      time.textContent = comment.created_at;
    }
    const stance = slot("stance");
    if (comment.stance && comment.stance !== "neutral") {
      stance.textContent = this.stances.get(comment.stance) || comment.stance;
      stance.classList.add(`consult-stance--${comment.stance}`);
      stance.hidden = false;
    }
    slot("body").append(safeFragment(comment.body_html || ""));
    item.dataset.depth = String(comment.depth);
    const reply = slot("reply");
    if (reply && comment.depth >= this.maxDepth) reply.remove();
    return item;
  }
}

class Live {
  constructor(root, discussion) {
    this.root = root;
    this.discussion = discussion;
    this.announcer = discussion ? discussion.announcer : new Announcer(document.querySelector("[data-comments-announcer]"));
  }

  start() {
    const path = this.root.dataset.wsPath;
    if (!path) return;
    liveSocket(path)
      .on("open", ({ again }) => { if (again && this.discussion) this.discussion.refresh(); }) // catch up
      .on("comments", (message) => { if (this.discussion) this.discussion.changed(message); })
      .on("supports", (message) => this.supports(message))
      .start();
  }

  supports(message) {
    if (!Number.isInteger(message.supports)) return;
    for (const node of document.querySelectorAll(`[data-supports-for="${CSS.escape(String(message.proposal))}"]`)) {
      node.textContent = String(message.supports);
    }
  }
}

const section = document.querySelector("[data-consult-discussion]");
const root = section || document.querySelector("[data-consult-live]");
if (root) new Live(root, section ? new Discussion(section) : null).start();
