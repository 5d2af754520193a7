// The connection to the meeting: Socket.IO, the state store (snapshot, then
// events strictly in seq order) and the outbox of commands.
//
// - Events apply only when seq = last_seq + 1; seq <= last_seq is dropped
//   (duplicates after a snapshot); a gap asks the server `sync {last_seq}`.
// - Screens ask for totals (auth.compact): a run of votes, marks, supports
//   and raised hands arrives as one `totals` item covering seqs
//   from_seq..seq, which applies when from_seq <= last_seq + 1.
// - Reconnecting sends auth.last_seq, so the server replays what was missed.
// - Every command gets an op_id and is kept in localStorage until the server
//   acknowledges it; it is resent after a reconnect or a reload (the server
//   remembers accepted op_ids, so a resend changes nothing).

import { io } from "../vendor/socket.io.esm.min.js";
import { keepClock } from "./clock.js";
import { applyEvent, fromSnapshot, noteAccepted } from "./state.js";

const ACK_TIMEOUT_MS = 15000;
// Errors that say "try again later", not "this command is wrong".
const TRANSIENT = new Set(["rate_limited", "unavailable"]);

function newOpId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function load(storageKey) {
  try {
    const items = JSON.parse(localStorage.getItem(storageKey) || "[]");
    return Array.isArray(items) ? items : [];
  } catch (_) {
    return [];
  }
}

/**
 * connect({token, lang, onChange, onError, onRefused}) -> live
 *   live.state     the meeting state (null until the first snapshot)
 *   live.status    "connecting" | "syncing" | "online" | "offline" | "refused"
 *   live.outbox    commands waiting for an acknowledgement
 *   live.send(type, fields) -> Promise<ack>   (rejects with {code, message})
 *   live.emit(name, data)    a raw, unsequenced message (projectors: `shown`)
 *   live.ask(name, data) -> Promise<answer|null>   a request with an answer (`comments`)
 */
export function connect({ token, lang, onChange, onError, onRefused, onConnect }) {
  const storageKey = `sinkron:outbox:${token.slice(0, 16)}`;
  const waiting = new Map(); // op_id -> {resolve, reject} for commands sent from this page
  let syncing = false;
  let pumping = false;
  // Whether the state arrived over the current connection. Messages that come
  // with the connection are delivered before the client's "connect" event.
  let fresh = false;
  let retryTimer = null;

  const live = {
    state: null,
    status: "connecting",
    outbox: load(storageKey),
    send,
    emit: (name, data) => socket.connected && socket.emit(name, data),
    // A request with an answer (e.g. `comments`); null when offline.
    ask: (name, data) => new Promise((resolve) => {
      if (!socket.connected) { resolve(null); return; }
      socket.timeout(10000).emit(name, data, (err, answer) => resolve(err ? null : answer));
    }),
    get lastSeq() { return live.state ? live.state.seq : null; },
  };

  const changed = (what) => onChange && onChange(live, what);
  const setStatus = (status) => {
    if (live.status !== status) {
      live.status = status;
      changed("status");
    }
  };
  const save = () => {
    try { localStorage.setItem(storageKey, JSON.stringify(live.outbox)); } catch (_) { /* full */ }
  };

  const socket = io({
    auth: (cb) => {
      const auth = { token, lang, compact: true };
      if (live.state) auth.last_seq = live.state.seq;
      cb(auth);
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
  live.socket = socket;
  keepClock(socket);

  socket.on("connect", () => {
    syncing = false;
    setStatus(fresh ? "online" : "syncing");
    if (onConnect) onConnect(live);
    pump();
  });

  socket.on("disconnect", (reason) => {
    syncing = false;
    fresh = false;
    setStatus("offline");
    // The server closed us (e.g. access revoked): reconnect once to learn why;
    // a refusal then arrives as connect_error with a reason.
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), 500);
  });

  socket.on("connect_error", (err) => {
    // Refused by the server (unknown or revoked token): the client stops
    // retrying (socket.active is false); network trouble keeps it retrying.
    if (!socket.active) {
      setStatus("refused");
      const data = (err && err.data) || {};
      if (onRefused) onRefused({ code: data.code || "forbidden", message: data.message || (err && err.message) || "" });
    } else {
      setStatus("offline");
    }
  });

  socket.on("snapshot", (snap) => {
    live.state = fromSnapshot(snap);
    syncing = false;
    fresh = true;
    setStatus("online");
    changed("snapshot");
  });

  socket.on("events", (events) => {
    if (!live.state || !Array.isArray(events)) return;
    fresh = true;
    let applied = false;
    for (const e of events) {
      if (e.seq <= live.state.seq) continue; // seen already
      // A totals item covers from_seq..seq; it may start before what we have.
      if ((e.from_seq ?? e.seq) > live.state.seq + 1) { // a gap: ask for what is missing
        requestSync();
        break;
      }
      applyEvent(live.state, e);
      applied = true;
    }
    if (!syncing) setStatus("online");
    if (applied) changed("events");
  });

  socket.on("presence", (presence) => {
    if (!live.state) return;
    live.state.presence = presence;
    changed("presence");
  });

  function requestSync() {
    if (syncing || !live.state) return;
    syncing = true;
    setStatus("syncing");
    socket.emit("sync", { last_seq: live.state.seq }, () => {
      syncing = false;
      if (socket.connected) setStatus("online");
    });
  }

  function send(type, fields = {}) {
    const cmd = { op_id: newOpId(), type, ...fields };
    live.outbox.push(cmd);
    save();
    changed("outbox");
    const done = new Promise((resolve, reject) => waiting.set(cmd.op_id, { resolve, reject }));
    pump();
    return done;
  }

  function emitCommand(cmd) {
    return new Promise((resolve, reject) => {
      const onDisconnect = () => { cleanup(); reject(new Error("disconnected")); };
      const timer = setTimeout(() => { cleanup(); reject(new Error("timeout")); }, ACK_TIMEOUT_MS);
      function cleanup() {
        clearTimeout(timer);
        socket.off("disconnect", onDisconnect);
      }
      socket.on("disconnect", onDisconnect);
      socket.emit("command", cmd, (ack) => { cleanup(); resolve(ack); });
    });
  }

  function settle(cmd, outcome, value) {
    live.outbox = live.outbox.filter((c) => c.op_id !== cmd.op_id);
    save();
    const w = waiting.get(cmd.op_id);
    waiting.delete(cmd.op_id);
    if (w) w[outcome](value);
    else if (outcome === "reject" && onError) onError(value, cmd); // resent after a reload
    changed("outbox");
  }

  // One command at a time, oldest first: order is kept, also after a reconnect.
  async function pump() {
    if (pumping || !socket.connected) return;
    pumping = true;
    try {
      while (live.outbox.length && socket.connected) {
        const cmd = live.outbox[0];
        let ack;
        try {
          ack = await emitCommand(cmd);
        } catch (_) {
          break; // disconnected or no answer: kept, sent again later
        }
        if (ack && ack.ok) {
          noteAccepted(live.state, cmd);
          settle(cmd, "resolve", ack);
        } else {
          const error = (ack && ack.error) || { code: "unavailable", message: "" };
          if (TRANSIENT.has(error.code)) {
            clearTimeout(retryTimer);
            retryTimer = setTimeout(pump, 1500);
            break;
          }
          settle(cmd, "reject", error);
        }
      }
    } finally {
      pumping = false;
    }
  }

  return live;
}
