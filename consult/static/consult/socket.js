// wagtail-consult: the page's one websocket to a consultation.
//
// consult.js (results, phases) and comments.js (comments, supports) both
// listen to the same consultation; ES modules are loaded once per page, so
// liveSocket(path) hands every caller the same connection and a page opens
// one socket, not one per script.
//
//   const live = liveSocket("/ws/consult/consultations/3/");
//   live.on("tally", (message) => ...);      // one handler per message type
//   live.on("open", ({ again }) => ...);     // again: a reconnection
//   live.on("down", ({ retry, tooMany }) => ...); // closed, reconnecting
//   live.start();                             // idempotent
//   live.resync();                            // false when not connected

// Close codes the server uses (see docs/reference/websocket.md).
export const CLOSE_BAD_FRAME = 4400;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_IDLE = 4408;
export const CLOSE_TOO_MANY = 4429;

class LiveSocket {
  constructor(path) {
    this.path = path;
    this.handlers = new Map();
    this.socket = null;
    this.retry = 0;
    this.opened = false;
    this.started = false;
    this.reconnectTimer = null;
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(handler);
    return this;
  }

  emit(type, detail) {
    for (const handler of this.handlers.get(type) || []) {
      try { handler(detail); } catch (error) { console.error(error); } // one listener's bug spares the others
    }
  }

  get connected() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start() {
    if (this.started || !window.WebSocket) return this;
    this.started = true;
    document.addEventListener("visibilitychange", () => this.visibilityChanged());
    this.connect();
    return this;
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${this.path}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retry = 0;
      this.emit("open", { again: this.opened });
      this.opened = true;
    });
    socket.addEventListener("message", (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message && typeof message === "object" && typeof message.type === "string") this.emit(message.type, message);
    });
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
    // Exponential backoff with jitter, so a restarted worker is not
    // stampeded by every open page at once; longer when the server turned
    // us away for too many sockets.
    const tooMany = code === CLOSE_TOO_MANY;
    const delay = Math.min(tooMany ? 120000 : 30000, 1000 * 2 ** this.retry) * (0.5 + Math.random());
    this.retry += 1;
    this.emit("down", { retry: this.retry, tooMany });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  visibilityChanged() {
    if (document.hidden) return;
    if (this.connected) {
      // A phone may have frozen the page and dropped updates meanwhile.
      this.resync();
    } else if (!this.socket && this.reconnectTimer === null) {
      this.connect();
    }
  }

  resync() {
    if (!this.connected) return false;
    this.socket.send(JSON.stringify({ type: "resync" }));
    return true;
  }
}

const sockets = new Map();

export function liveSocket(path) {
  if (!sockets.has(path)) sockets.set(path, new LiveSocket(path));
  return sockets.get(path);
}
