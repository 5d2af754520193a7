// The console's "where is it in the plan?" panel for the selected proposal:
// the suggested plan items (score, strong, reasons) and the plan items that
// participants attached to their marks (how many at each site, their notes),
// each with a button that puts it into the decision in one click.

import { h, sr } from "./dom.js";
import { L, t } from "./i18n.js";
import { accommodatedStatus, attachedFor, key, planItem } from "./state.js";
import { planText, reasonsText } from "./widgets.js";

const ACCOMMODATED = new Set(["terakomodir_kab", "terakomodir_prov", "terakomodir_sebagian"]);

/** The most common status among marks, ties by the status table's order. */
function mostCommon(statuses) {
  const order = L("status_order");
  const counts = new Map();
  for (const s of statuses) counts.set(s, (counts.get(s) || 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([s]) => s)[0];
}

/** The status adopting this plan item records: the decision's own when it
 *  already says "accommodated", else what the people who attached it said,
 *  else the plan item's level. */
export function adoptStatus(st, p, planItemId, people = []) {
  const d = p.decision;
  const said = mostCommon(people.map((a) => a.status).filter((s) => ACCOMMODATED.has(s)));
  return accommodatedStatus(planItem(st, planItemId), d && ACCOMMODATED.has(d.status) ? d.status : said);
}

function adoptButton(st, p, planItemId, people, onAdopt, keyPrefix) {
  const status = adoptStatus(st, p, planItemId, people);
  const chosen = Boolean(p.decision && p.decision.plan_item_id === planItemId);
  return h("button", {
    type: "button", class: "small", "data-key": `${keyPrefix}-${planItemId}`,
    "data-plan-item-id": planItemId, "aria-pressed": chosen ? "true" : "false",
    on: { click: () => onAdopt(p, planItemId, status) },
  }, t("adopt_as", { status: L("statuses", status) }), sr(` ${planText(planItem(st, planItemId), planItemId)}`));
}

function chosenTag(p, planItemId) {
  return p.decision && p.decision.plan_item_id === planItemId ? h("span", { class: "tag ok" }, t("in_decision")) : null;
}

function suggestionList(st, p, onAdopt) {
  const items = (st.suggestions && st.suggestions[key(p.id)]) || [];
  if (!items.length) return h("p", { class: "muted" }, t("no_suggestions"));
  return h("ol", { class: "plan-list suggestions" }, items.map((s) => h("li", { "data-plan-item-id": s.plan_item_id },
    h("div", { class: "plan-name" }, planText(planItem(st, s.plan_item_id), s.plan_item_id),
      s.strong ? h("span", { class: "tag strong" }, t("strong_tag")) : null, chosenTag(p, s.plan_item_id)),
    h("div", { class: "muted small" }, t("score_is", { score: Number(s.score).toFixed(2) }),
      s.reasons && s.reasons.length ? ` · ${reasonsText(s.reasons)}` : ""),
    adoptButton(st, p, s.plan_item_id, [], onAdopt, "adopt-s"))));
}

function attachedList(st, p, onAdopt) {
  const { items, notes } = attachedFor(st, p.id);
  if (!items.length && !notes.length) return h("p", { class: "muted" }, t("no_attached"));
  const siteCounts = (g) => st.sites.filter((s) => g.sites[key(s.id)])
    .map((s) => `${s.name}: ${g.sites[key(s.id)]}`).join(" · ");
  const noteItems = (people) => people.filter((a) => a.note).map((a) => h("li", {},
    h("b", {}, a.name), ` (${(st.sites.find((s) => s.id === a.site_id) || {}).name || ""}): `, a.note));
  return h("div", {},
    items.length ? h("ul", { class: "plan-list attached" }, items.map((g) => h("li", { "data-plan-item-id": g.plan_item_id },
      h("div", { class: "plan-name" }, planText(planItem(st, g.plan_item_id), g.plan_item_id), chosenTag(p, g.plan_item_id)),
      h("div", { class: "small attached-count" }, h("b", {}, t("people_n", { n: g.total })), " · ", siteCounts(g)),
      g.people.some((a) => a.note) ? h("ul", { class: "notes small" }, noteItems(g.people)) : null,
      adoptButton(st, p, g.plan_item_id, g.people, onAdopt, "adopt-a")))) : null,
    notes.length ? h("div", {}, h("h4", {}, t("notes_without_plan")), h("ul", { class: "notes small" }, noteItems(notes)))
      : null);
}

/** The panel for an agenda proposal; onAdopt(p, planItemId, status). */
export function planFinder(st, p, onAdopt) {
  return h("div", { class: "plan-finder" },
    h("h3", {}, t("attached_plan_items")), attachedList(st, p, onAdopt),
    h("h3", {}, t("suggested_plan_items")), h("p", { class: "muted small" }, t("suggested_hint")),
    suggestionList(st, p, onAdopt));
}
