// The facilitator's sync panel: per site, who is connected (by role and
// category) and what each projector shows, with a warning when a room's
// projector is behind the current seq / focus or not connected at all, and
// how far each projector's clock is from the server's.
// Presence is not sequenced: it arrives as `presence` about twice a second.

import { h, refill } from "./dom.js";
import { L, t } from "./i18n.js";
import { proposal } from "./state.js";

// A projector may lag a moment (it reports after rendering, presence is sent
// at most twice a second); it is "behind" when the lag lasts this long.
const GRACE_MS = 3000;
// A projector clock further than this from the server's is flagged.
const CLOCK_WARN_MS = 2000;

export function createSyncPanel() {
  const body = h("div", { class: "sync-body" });
  const heading = h("h2", { id: "sync-h" }, t("sync_panel"));
  const el = h("section", { id: "sync", class: "card", "aria-labelledby": heading.id }, heading, body);
  const since = new Map(); // projector connection -> when it was first seen out of step

  function projectorLine(st, pr) {
    const inStep = pr.seq != null && pr.seq >= st.seq && (pr.proposal_id ?? null) === (st.focus ?? null);
    const now = Date.now();
    if (inStep) since.delete(pr.connection);
    else if (!since.has(pr.connection)) since.set(pr.connection, now);
    const behind = !inStep && now - since.get(pr.connection) > GRACE_MS;
    const p = pr.proposal_id != null ? proposal(st, pr.proposal_id) : null;
    const what = pr.seq == null ? t("projector_nothing_yet")
      : t("projector_shows", { what: p ? (p.code || p.title) : t("no_item"), seq: pr.seq });
    return h("li", { class: behind ? "warn" : "ok", "data-connection": pr.connection },
      h("span", { class: "badge" }, behind ? t("projector_behind") : inStep ? t("projector_in_step") : t("projector_updating")),
      " ", what, " ", clockNote(pr.clock_offset_ms));
  }

  // The projector's own clock against the server's (offset = server - device).
  // Countdowns are corrected anyway; a large offset means the device's clock
  // is wrong, which the room's IT person may want to fix.
  function clockNote(offset) {
    if (offset == null) return h("span", { class: "clock muted small" }, t("clock_unknown"));
    const seconds = (Math.abs(offset) / 1000).toFixed(1);
    const text = Math.abs(offset) < 50 ? t("clock_same")
      : t(offset < 0 ? "clock_ahead" : "clock_behind", { s: seconds });
    const off = Math.abs(offset) > CLOCK_WARN_MS;
    return h("span", { class: off ? "clock tag warn" : "clock muted small", "data-offset-ms": offset },
      off ? `${t("clock_warn")} ${text}` : text);
  }

  function render(st) {
    if (!st) return;
    const presence = st.presence || { sites: {}, projectors: [] };
    const current = proposal(st, st.focus);
    refill(body,
      h("p", { class: "muted small" }, t("sync_now", { seq: st.seq, what: current ? (current.code || current.title) : t("no_item") })),
      st.sites.map((site) => {
        const info = presence.sites[String(site.id)] || { total: 0, roles: {}, categories: {} };
        const projectors = presence.projectors.filter((pr) => pr.site_id === site.id);
        const roles = Object.entries(info.roles).map(([r, n]) => `${L("roles", r)} ${n}`).join(", ");
        const cats = Object.entries(info.categories).sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`).join(", ");
        return h("div", { class: "sync-site", "data-site-id": site.id },
          h("h3", {}, site.name, " ", h("span", { class: "muted" }, t("connected_n", { n: info.total }))),
          roles ? h("p", { class: "small" }, roles) : null,
          cats ? h("p", { class: "small muted" }, t("by_category"), " ", cats) : null,
          projectors.length
            ? h("ul", { class: "projectors" }, projectors.map((pr) => projectorLine(st, pr)))
            : h("p", { class: "warn projector-missing" }, h("span", { class: "badge" }, t("projector_missing"))));
      }));
  }

  return { el, render };
}
