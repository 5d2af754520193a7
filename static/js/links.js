// The console's card for fresh links: the facilitator's own, and per site
// the projector's, the host's and the join code. A leaked link is replaced
// on its own; the server closes the old link's connections. A new
// facilitator link moves this console to it (the old one stops working).

import { fill, h } from "./dom.js";
import { lang, t } from "./i18n.js";

export function linksCard({ meetingId, csrf, msgs }) {
  const out = h("div", { class: "fresh-link", "aria-live": "polite" });
  const sites = h("div", { class: "stack" });

  async function replace(role, siteId, what) {
    if (!confirm(t("link_confirm"))) return;
    try {
      const res = await fetch(`/meetings/${meetingId}/links?lang=${lang}`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ role, site_id: siteId }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) { msgs.show((body.error && body.error.message) || t("error_generic")); return; }
      if (role === "facilitator") { location.assign(body.url); return; }
      const input = h("input", { readonly: true, value: body.url, "aria-label": what });
      fill(out, h("p", { class: "small" }, t("new_link_for", { what })), input);
      input.select();
    } catch (_) {
      msgs.show(t("error_generic"));
    }
  }

  const button = (label, role, siteId, what) => h("button", {
    type: "button", class: "small secondary", "data-key": `link-${role}-${siteId || ""}`,
    on: { click: () => replace(role, siteId, what) } }, label);

  const el = h("section", { id: "links", class: "card", "aria-labelledby": "links-h" },
    h("h2", { id: "links-h" }, t("links_title")),
    h("p", { class: "muted small" }, t("links_hint")),
    button(t("new_facilitator_link"), "facilitator", null, t("new_facilitator_link")),
    sites, out);
  let rendered = "";
  return {
    el,
    render(st) {
      const sig = st.sites.map((s) => s.id).join();
      if (sig === rendered) return;
      rendered = sig;
      fill(sites, st.sites.map((s) => h("div", {},
        h("h3", {}, s.name),
        h("div", { class: "row" },
          button(t("new_projector_link"), "projector", s.id, `${t("new_projector_link")}: ${s.name}`),
          button(t("new_host_link"), "host", s.id, `${t("new_host_link")}: ${s.name}`),
          button(t("new_join_code"), "join_code", s.id, `${t("new_join_code")}: ${s.name}`)))));
    },
  };
}
