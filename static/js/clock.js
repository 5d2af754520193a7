// The server's clock, as measured from this device over its connection.
//
// Two rooms' laptops keep different clocks, so anything timed (the speaker's
// countdown) uses serverNow(). At connect and every minute the client sends a
// few `clock` requests; for each, offset = server time - (send time + round
// trip / 2), and the sample with the smallest round trip wins (the least
// delayed, so the least skewed). The result is reported to the server for the
// facilitator's sync panel. docs/protocol.md describes the messages.

const SAMPLES = 5;
const EVERY_MS = 60_000;
const TIMEOUT_MS = 5000;

let offset = 0; // server minus device, in ms

/** Milliseconds since the epoch by the server's clock. */
export const serverNow = () => Date.now() + offset;
export const clockOffset = () => offset;

function sample(socket) {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    const started = performance.now();
    socket.timeout(TIMEOUT_MS).emit("clock", {}, (err, answer) => {
      const rtt = performance.now() - started;
      if (err || !answer || typeof answer.now !== "number") { resolve(null); return; }
      resolve({ offset: answer.now - (sentAt + rtt / 2), rtt });
    });
  });
}

async function measure(socket) {
  let best = null;
  for (let i = 0; i < SAMPLES && socket.connected; i += 1) {
    const s = await sample(socket);
    if (s && (!best || s.rtt < best.rtt)) best = s;
  }
  if (!best || !socket.connected) return;
  offset = best.offset;
  socket.emit("clock", { offset_ms: Math.round(best.offset), rtt_ms: Math.round(best.rtt) });
}

/** Measure now (call on each connect) and every minute while connected. */
export function keepClock(socket) {
  let timer = null;
  socket.on("connect", () => {
    clearInterval(timer);
    measure(socket);
    timer = setInterval(() => { if (socket.connected) measure(socket); }, EVERY_MS);
  });
  socket.on("disconnect", () => clearInterval(timer));
}
