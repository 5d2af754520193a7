// The side cards of the facilitator console: what projectors show, voting
// rounds, the speaker queue, attendance, imports, minutes and join sheets.
// Each card is built once (forms keep what is typed) and re-rendered from state.

import { barChart } from "./charts.js";
import { field, fill, h, refill, select, uid } from "./dom.js";
import { L, lang, t } from "./i18n.js";
import { key, proposal, ranked, siteName } from "./state.js";
import { mmss, secondsLeft } from "./widgets.js";

function card(id, title, ...children) {
  const heading = h("h2", { id: `${id}-h` }, title);
  return h("section", { id, class: "card", "aria-labelledby": heading.id }, heading, ...children);
}

// --- projector view ------------------------------------------------------------

export function projectorCard({ send }) {
  const name = uid("view");
  const inputs = {};
  let pending = null; // the view asked for, until the event says so (no flicker back)
  let current = null;
  const group = h("fieldset", { class: "segmented" }, h("legend", {}, t("projectors_show")),
    ["item", "agenda", "results", "join"].map((view) => {
      const input = h("input", { type: "radio", name, value: view, id: uid("v"), on: { change: () => {
        pending = view;
        send("projector.view", { view }).then((ack) => { if (!ack) { pending = null; show(); } });
      } } });
      inputs[view] = input;
      return h("label", { for: input.id }, input, h("span", {}, L("views", view)));
    }));
  const el = card("projector-view", t("projectors"), group);
  function show() {
    const view = pending || current;
    for (const [v, input] of Object.entries(inputs)) input.checked = view === v;
  }
  return {
    el,
    render(st) {
      current = st.projector_view;
      if (pending === current) pending = null;
      show();
    },
  };
}

// --- voting ------------------------------------------------------------------------

export function votingCard({ send }) {
  const mode = select([["dots", t("mode_dots")], ["score", t("mode_score")]], { name: "mode" }, "dots");
  const budget = h("input", { type: "number", name: "budget", min: 1, max: 100, inputmode: "numeric" });
  const maxPer = h("input", { type: "number", name: "max_per_proposal", min: 1, max: 100, inputmode: "numeric" });
  const hide = h("input", { type: "checkbox", name: "hide_results", id: uid("hide") });
  const openForm = h("form", { class: "stack" },
    field(t("voting_mode"), mode),
    h("div", { class: "row" }, field(t("budget"), budget), field(t("max_per_proposal"), maxPer)),
    h("div", { class: "check" }, hide, h("label", { for: hide.id }, t("hide_results"))),
    h("button", { type: "submit" }, t("open_voting")));
  mode.addEventListener("change", () => { budget.disabled = maxPer.disabled = mode.value !== "dots"; });
  openForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const fields = { mode: mode.value, hide_results: hide.checked };
    if (mode.value === "dots") {
      if (budget.value) fields.budget = Number(budget.value);
      if (maxPer.value) fields.max_per_proposal = Number(maxPer.value);
    }
    send("voting.open", fields);
  });
  const status = h("div");
  const closeButton = h("button", { type: "button", class: "danger",
                                    on: { click: () => send("voting.close") } }, t("close_voting"));
  const results = h("div");
  const el = card("voting", t("voting"), status, openForm, closeButton, results);
  let defaultsSet = false;

  return {
    el,
    render(st) {
      const v = st.voting;
      const r = v.round;
      if (!defaultsSet) {
        defaultsSet = true;
        budget.value = st.meeting.vote_budget;
        maxPer.value = st.meeting.vote_max_per_proposal;
      }
      const open = Boolean(r && r.open);
      const live = st.meeting.status === "live";
      openForm.hidden = open || !live;
      closeButton.hidden = !open;
      const voters = (v.voters && v.voters.sites) || {};
      refill(status, r ? h("div", {},
        h("p", {}, h("strong", {}, t(open ? "votes_open" : "votes_closed", { n: r.number })), " · ",
          r.mode === "dots" ? t("dots_settings", { budget: r.budget, max: r.max_per_proposal }) : t("mode_score"),
          r.hide_results ? ` · ${t("hidden_until_close")}` : ""),
        h("p", { class: "small" }, st.sites.map((s) => `${s.name}: ${t("voters_n", { n: voters[key(s.id)] || 0 })}`).join(" · ")))
        : h("p", { class: "muted" }, t("no_voting_yet")));
      if (!r || !v.tallies) { fill(results); return; }
      const top = ranked(st).slice(0, 5);
      const dots = r.mode === "dots";
      const max = dots ? Math.max(1, ...Object.values(v.tallies).map((x) => x.total || 0)) : 5;
      // Rank, code and title: a code alone means nothing to the room.
      refill(results, h("h3", {}, t("ranking_top")), barChart(top.map(({ id, rank }) => {
        const p = proposal(st, id);
        const tally = v.tallies[key(id)];
        const value = tally ? (dots ? tally.total : tally.mean || 0) : 0;
        const text = dots ? String(value) : (tally && tally.mean != null ? `${tally.mean} (${tally.count})` : "–");
        return [`${rank}. ${p ? [p.code, p.title].filter(Boolean).join(" · ") : id}`, value, text];
      }), { max, cls: "compact ranked" }));
    },
  };
}

// --- the floor ---------------------------------------------------------------------

export function floorCard({ send }) {
  const body = h("div", { class: "floor" });
  const el = card("floor", t("floor"), body);
  return {
    el,
    render(st) {
      const f = st.floor || { queue: [], suggested: [], turns_by_site: {} };
      const byId = new Map(f.queue.map((q) => [q.participant_id, q]));
      const ordered = (f.suggested || []).map((id) => byId.get(id)).filter(Boolean);
      for (const q of f.queue) if (!ordered.includes(q)) ordered.push(q);
      const sp = f.speaker;
      refill(body,
        sp ? h("div", { class: "speaker" },
          h("p", {}, t("speaking_now", { name: sp.name, site: siteName(st, sp.site_id) }), " ",
            h("span", { class: "countdown", "data-turn-end": sp.turn_end || "" })),
          h("button", { type: "button", "data-key": "end", on: { click: () => send("floor.end") } }, t("end_turn")))
          : h("p", { class: "muted" }, t("nobody_speaking")),
        h("h3", {}, t("queue_n", { n: ordered.length })),
        ordered.length ? h("ol", { class: "queue" }, ordered.map((q, i) => h("li", {},
          h("span", {}, q.name, " · ", h("span", { class: "muted" }, `${siteName(st, q.site_id)}, ${L("categories", q.category)}`)),
          i === 0 ? h("span", { class: "tag" }, t("suggested_next")) : null,
          h("button", { type: "button", class: "small", "data-key": `grant-${q.participant_id}`,
                        "aria-label": t("give_floor_to", { name: q.name }),
                        on: { click: () => send("floor.grant", { participant_id: q.participant_id }) } },
            t("give_floor"))))) : null,
        h("p", { class: "small muted" }, t("turns_per_site"), " ",
          st.sites.map((s) => `${s.name}: ${(f.turns_by_site || {})[key(s.id)] || 0}`).join(" · ")));
      tickCountdowns(body);
    },
  };
}

export function tickCountdowns(root) {
  for (const el of root.querySelectorAll(".countdown")) {
    const left = secondsLeft({ turn_end: el.dataset.turnEnd });
    el.textContent = left == null ? "" : mmss(left);
    el.classList.toggle("over", left != null && left < 0);
  }
}

// --- attendance ---------------------------------------------------------------------

const SHOW_PEOPLE = 60;

export function attendanceCard({ send }) {
  const site = h("select", { name: "site_id" });
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const category = select([["", t("choose_category")], ...Object.entries(L("categories"))], { name: "category", required: true });
  const organisation = h("input", { name: "organisation", maxlength: 200 });
  const gender = select([["", t("gender_none")], ...Object.entries(L("genders"))], { name: "gender" });
  const form = h("form", { class: "stack" },
    field(t("site"), site), field(t("attendee_name"), name), field(t("category"), category),
    field(t("organisation_optional"), organisation), field(t("gender_optional"), gender),
    h("button", { type: "submit" }, t("check_in")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!name.value.trim() || !category.value) { (name.value.trim() ? category : name).focus(); return; }
    send("attendance.add", { site_id: Number(site.value), name: name.value, category: category.value,
                             organisation: organisation.value || null, gender: gender.value || null })
      .then((ack) => { if (ack) { name.value = ""; organisation.value = ""; gender.value = ""; name.focus(); } });
  });
  const filter = h("input", { type: "search", name: "filter" });
  const counts = h("p", { class: "small" });
  const list = h("ul", { class: "people" });
  let last;
  filter.addEventListener("input", () => last && render(last));
  const el = card("attendance", t("attendance"),
    h("details", {}, h("summary", {}, t("check_in_title")), h("p", { class: "muted small" }, t("check_in_hint")), form),
    counts, field(t("search_people"), filter), list);

  function render(st) {
    last = st;
    if (site.options.length !== st.sites.length) {
      fill(site, st.sites.map((s) => h("option", { value: s.id }, s.name)));
    }
    const people = st.attendees || [];
    counts.textContent = st.sites.map((s) =>
      `${s.name}: ${people.filter((p) => p.site_id === s.id && !p.revoked).length}`).join(" · ");
    const q = filter.value.trim().toLowerCase();
    const shown = people.filter((p) => !q || `${p.name} ${p.organisation} ${p.category}`.toLowerCase().includes(q));
    refill(list, shown.slice(0, SHOW_PEOPLE).map((p) => h("li", { class: p.revoked ? "revoked" : "" },
      h("span", { class: "person" }, h("strong", {}, p.name), " ",
        h("span", { class: "muted" }, [siteName(st, p.site_id), L("categories", p.category), p.organisation].filter(Boolean).join(" · "))),
      p.role !== "participant" ? h("span", { class: "tag" }, L("roles", p.role)) : null,
      p.has_phone ? null : h("span", { class: "tag" }, t("no_phone")),
      p.revoked ? h("span", { class: "tag warn" }, t("revoked"))
        : p.role !== "facilitator" ? h("button", {
          type: "button", class: "small danger", "data-key": `revoke-${p.id}`, "aria-label": t("revoke_who", { name: p.name }),
          on: { click: () => { if (confirm(t("revoke_confirm", { name: p.name }))) send("participant.revoke", { participant_id: p.id }); } },
        }, t("revoke")) : null)),
    shown.length > SHOW_PEOPLE ? h("li", { class: "muted" }, t("more_people", { n: shown.length - SHOW_PEOPLE })) : null);
  }
  return { el, render };
}

// --- imports ------------------------------------------------------------------------

/** Import in two steps, both with the same file: the server first says what
 *  the import would do (new, updated, unchanged, refused rows, and what is
 *  not in the file), and stores it only when the facilitator confirms. */
export function importPanel({ meetingId, csrf }) {
  function uploader(kind, label) {
    const file = h("input", { type: "file", name: "file", accept: ".csv,.xlsx,text/csv" });
    const out = h("div", { class: "import-result", "aria-live": "polite" });
    const check = h("button", { type: "submit" }, t("check_file"));
    const form = h("form", { class: "stack", "data-kind": kind }, field(label, file), h("div", {}, check), out);

    async function post(preview) {
      const data = new FormData();
      data.append("file", file.files[0]);
      const res = await fetch(`/meetings/${meetingId}/import/${kind}?lang=${lang}${preview ? "&preview=1" : ""}`, {
        method: "POST", body: data, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
      });
      return { res, body: await res.json().catch(() => ({})) };
    }

    const counts = (c) => t("preview_counts", c);
    const rowLine = (r) => h("li", {}, t("row_n", { n: r.row }), " ", r.label, " · ", t(`outcome_${r.outcome}`),
      r.fields.length ? ` (${t("fields_changed", { fields: r.fields.join(", ") })})` : "",
      r.withdrawn ? h("span", { class: "tag warn" }, t("withdrawn_tag")) : null);

    function showPlan(p) {
      const changes = p.rows.filter((r) => r.outcome !== "unchanged");
      const nothing = !p.counts.new && !p.counts.updated;
      const confirm = h("button", { type: "button", "data-key": `confirm-${kind}`,
                                    disabled: Boolean(p.counts.refused) || nothing }, t("confirm_import"));
      const cancel = h("button", { type: "button", class: "secondary" }, t("cancel"));
      confirm.addEventListener("click", () => run(false));
      cancel.addEventListener("click", () => { fill(out); form.reset(); });
      fill(out,
        h("p", { class: "preview-counts" }, h("strong", {}, t("preview_intro")), " ", counts(p.counts)),
        p.refused.length ? h("ul", { class: "problems" }, p.refused.map((x) =>
          h("li", {}, t("row_n", { n: x.row }), " ", x.message))) : null,
        p.counts.refused ? h("p", { class: "message error" }, t("fix_refused_first"))
          : nothing ? h("p", { class: "muted" }, t("nothing_to_import")) : null,
        changes.length ? h("details", { open: changes.length <= 8 }, h("summary", {}, counts({ ...p.counts, unchanged: 0, refused: 0 })),
          h("ul", { class: "small" }, changes.map(rowLine))) : null,
        p.not_in_file.length ? h("details", {}, h("summary", {}, t("not_in_file_n", { n: p.not_in_file.length })),
          h("ul", { class: "small" }, p.not_in_file.map((x) => h("li", {}, x.label)))) : null,
        h("p", { class: "muted small" }, t("empty_cells_hint")),
        h("div", { class: "row" }, confirm, cancel));
      if (!confirm.disabled) confirm.focus();
    }

    async function run(preview) {
      if (!file.files.length) { fill(out, h("p", { class: "note error" }, t("choose_file"))); file.focus(); return; }
      check.disabled = true;
      try {
        const { res, body } = await post(preview);
        if (res.ok && preview) showPlan(body.preview);
        else if (res.ok) {
          fill(out, h("p", { class: "message ok" }, t("import_stored", { counts: counts(body.result.counts) })));
          form.reset();
        } else if (body.preview) {
          showPlan(body.preview);
        } else {
          const err = body.error || {};
          fill(out, h("p", { class: "message error" }, err.message || t("error_generic")));
        }
      } catch (_) {
        fill(out, h("p", { class: "message error" }, t("upload_failed")));
      } finally {
        check.disabled = false;
      }
    }
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(true); });
    file.addEventListener("change", () => fill(out));
    return form;
  }
  return h("div", { class: "import-panel" }, h("p", { class: "muted small" }, t("import_hint")),
    uploader("proposals", t("import_proposals")), uploader("plan-items", t("import_plan_items")));
}

// --- minutes and join sheets ------------------------------------------------------------

export function documentsCard({ meetingId, token }) {
  const sheets = h("ul", { class: "links" });
  const formats = [["docx", "Word (.docx)"], ["pdf", "PDF"], ["xlsx", "Excel (.xlsx)"], ["csv", "CSV"], ["md", "Markdown"]];
  const el = card("documents", t("documents"),
    h("h3", {}, t("minutes")),
    h("ul", { class: "links" }, formats.map(([fmt, name]) =>
      h("li", {}, h("a", { href: `/meetings/${meetingId}/minutes.${fmt}?lang=${lang}` }, name)))),
    h("h3", {}, t("join_sheets")), sheets,
    // The facilitator is a participant too: their marks and votes count at their site.
    h("h3", {}, t("my_phone_page")),
    h("p", {}, h("a", { href: `/f/${token}/phone`, target: "_blank", rel: "noopener" }, t("my_phone_page_link"))));
  let rendered = "";
  return {
    el,
    render(st) {
      const sig = st.sites.map((s) => s.join_code).join();
      if (sig === rendered) return;
      rendered = sig;
      fill(sheets, st.sites.map((s) => h("li", {},
        h("a", { href: `/j/${s.join_code}/sheet`, target: "_blank", rel: "noopener" }, t("join_sheet_for", { site: s.name })),
        " ", h("span", { class: "muted" }, t("code_is", { code: s.join_code })))));
    },
  };
}
