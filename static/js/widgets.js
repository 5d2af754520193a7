// Pieces every screen shares: the top bar with the connection indicator and
// the language switch, the offline / catching-up banner, messages, and the
// way marks, statuses and comments are shown.

import { serverNow } from "./clock.js";
import { fill, h, sr } from "./dom.js";
import { L, fmtTime, lang, t } from "./i18n.js";
import { siteName } from "./state.js";

/** The language switch: plain links; the server remembers ?lang= in the session. */
export function langSwitch() {
  const link = (code, text) => {
    const url = new URL(location.href);
    url.searchParams.set("lang", code);
    return h("a", { href: url.pathname + url.search, lang: code, hreflang: code,
                    "aria-current": code === lang ? "true" : null }, text);
  };
  return h("nav", { class: "lang", "aria-label": t("language") },
    link("id", "Bahasa Indonesia"), link("en", "English"));
}

/** A dot and a word for the connection; updates in place. */
export function connectionIndicator() {
  const text = h("span", { class: "conn-text" });
  const el = h("span", { class: "conn", role: "status" }, h("span", { class: "dot", "aria-hidden": "true" }), text);
  el.update = (live) => {
    el.dataset.status = live.status;
    text.textContent = t(`conn_${live.status}`);
  };
  return el;
}

/** Offline / catching up / commands waiting. */
export function banner() {
  const el = h("div", { class: "banner", role: "status", "aria-live": "polite" });
  el.update = (live) => {
    const n = live.outbox.length;
    const parts = [];
    let kind = "";
    if (live.status === "offline" || live.status === "connecting") {
      kind = "offline";
      parts.push(t(live.status === "offline" ? "banner_offline" : "banner_connecting"));
    } else if (live.status === "syncing") {
      kind = "syncing";
      parts.push(t("banner_syncing"));
    } else if (live.status === "refused") {
      kind = "offline";
      parts.push(t("banner_refused"));
    }
    if (n) {
      parts.push(t(n === 1 ? "waiting_one" : "waiting_many", { n }));
      kind = kind || "waiting";
    }
    el.dataset.kind = kind;
    el.hidden = !parts.length;
    el.textContent = parts.join(" ");
  };
  return el;
}

/** Messages (errors from the server, results of actions). */
export function messages() {
  const el = h("div", { class: "messages", role: "alert", "aria-live": "assertive" });
  let timer;
  el.show = (text, kind = "error") => {
    clearTimeout(timer);
    fill(el, h("p", { class: `message ${kind}` }, text));
    timer = setTimeout(() => fill(el), 8000);
  };
  return el;
}

/** A message that stands next to the control that was used (a form's
 *  button), so a page scrolled far down still sees what happened. */
export function note() {
  const el = h("p", { class: "note", role: "status", "aria-live": "polite" });
  let timer;
  el.show = (text, kind = "ok") => {
    clearTimeout(timer);
    el.className = `note ${kind}`;
    el.textContent = text;
    timer = setTimeout(() => { el.textContent = ""; }, 8000);
  };
  return el;
}

/** Send a command; a rejection is shown, not thrown. Resolves to the ack or null. */
export function act(live, msgs, type, fields) {
  return live.send(type, fields).catch((err) => {
    msgs.show((err && err.message) || t("error_generic"));
    return null;
  });
}

export function statusLabel(status) {
  return status ? L("statuses", status) : t("no_marks_yet");
}

export const statusChip = (status, extra = "") =>
  h("span", { class: `chip st-${status || "none"} ${extra}`.trim() }, statusLabel(status));

/** "Kec. X, Desa Y · OPD · Rp 1.000.000" */
export function proposalMeta(p) {
  const bits = [];
  const place = [p.desa, p.kecamatan].filter(Boolean).join(", ");
  if (place) bits.push(place);
  if (p.target_agency) bits.push(p.target_agency);
  if (p.cost) bits.push(rupiah(p.cost));
  return bits.join(" · ");
}

/** "Rp 250.000.000" with a no-break space: "Rp" never stands apart from its amount. */
export function rupiah(amount) {
  return `Rp\u00a0${Number(amount).toLocaleString("id-ID")}`;
}

/** Per site: the most common status and the counts behind it. */
export function siteMarks(st, p, { mySite } = {}) {
  const summary = (p && p.summary && p.summary.sites) || {};
  const disagree = Boolean(p && p.summary && p.summary.disagreement);
  const cols = st.sites.map((site) => {
    const s = summary[String(site.id)] || { counts: {}, total: 0, top: null };
    const counts = Object.entries(s.counts || {}).sort((a, b) => b[1] - a[1]);
    return h("div", { class: `site-marks${disagree && s.total ? " disagree" : ""}` },
      h("h4", {}, site.name, site.id === mySite ? h("span", { class: "tag" }, t("your_site")) : null),
      h("p", { class: "top" }, s.total ? statusChip(s.top) : h("span", { class: "muted" }, t("no_marks_yet"))),
      counts.length ? h("ul", { class: "counts" },
        counts.map(([status, n]) => h("li", {}, h("span", {}, L("statuses", status)), h("b", {}, String(n))))) : null,
      h("p", { class: "muted small" }, t("marks_total", { n: s.total })));
  });
  return h("div", { class: "marks-compare" },
    disagree ? h("p", { class: "disagree-note" }, t("sites_disagree")) : null,
    h("div", { class: "marks-cols" }, cols));
}

/** One comment: text as text, author, site, kind, support count; optional buttons. */
export function commentItem(st, c, { onSupport, onHide, canModerate, readOnly } = {}) {
  const who = c.author ? [c.author.name, c.author.organisation].filter(Boolean).join(", ") : "";
  const controls = [];
  if (onSupport && !c.hidden) {
    controls.push(h("button", {
      type: "button", class: "small", "data-key": `support-${c.id}`, "aria-pressed": c.supported ? "true" : "false",
      disabled: Boolean(readOnly), on: { click: () => onSupport(c) },
    }, t(c.supported ? "supported" : "support"), sr(` ${t("comment_by", { who: who || t("someone") })}`)));
  }
  if (onHide && canModerate && canModerate(c)) {
    controls.push(h("button", { type: "button", class: "small secondary", "data-key": `hide-${c.id}`, on: { click: () => onHide(c) } },
      t(c.hidden ? "unhide" : "hide"), sr(` ${t("comment_by", { who: who || t("someone") })}`)));
  }
  return h("li", { class: `comment kind-${c.kind}${c.hidden ? " is-hidden" : ""}`, "data-comment-id": c.id },
    h("p", { class: "comment-head" },
      h("span", { class: "kind" }, L("comment_kinds", c.kind)),
      h("span", { class: "site" }, siteName(st, c.site_id)),
      c.hidden ? h("span", { class: "tag warn" }, t("hidden")) : null),
    h("p", { class: "comment-text" }, c.text),
    h("p", { class: "comment-foot" },
      h("span", { class: "who" }, who),
      h("span", { class: "supports" }, t("supports_n", { n: c.supports || 0 })),
      c.created_at ? h("time", { datetime: c.created_at }, fmtTime(c.created_at)) : null,
      controls));
}

/** Seconds left of the current speaker's turn, by the server's clock: the
 *  projectors of both rooms agree even when their own clocks do not. */
export function secondsLeft(speaker) {
  if (!speaker || !speaker.turn_end) return null;
  return Math.round((Date.parse(speaker.turn_end) - serverNow()) / 1000);
}

export function mmss(seconds) {
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(seconds);
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A plan item in one line: code, Sub Kegiatan, (agency) · document. */
export function planText(pi, id) {
  if (!pi) return t("plan_item_n", { id });
  return [pi.code, pi.sub_activity || pi.activity || pi.programme, pi.agency && `(${pi.agency})`,
          pi.document && `· ${pi.document}`].filter(Boolean).join(" ");
}

/** Why the matcher suggests a plan item: "words: jaringan perpipaan · location: Sambelia". */
export function reasonsText(reasons) {
  const kinds = new Set(["words", "agency", "code", "location", "level"]);
  return (reasons || []).map((r) => `${kinds.has(r.kind) ? t(`reason_${r.kind}`) : r.kind}: ${r.detail}`)
    .join(" · ");
}
