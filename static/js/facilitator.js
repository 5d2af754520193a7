// The facilitator console (/f/<token>): the agenda, the selected proposal
// (details, marks per site, votes, comments, edit, decision) and the side
// cards (projectors, voting, floor, sync, attendance, import, documents).

import { barChart, legend } from "./charts.js";
import { $, field, fill, h, refill, select, sr, throttleFrame } from "./dom.js";
import { L, lang, loadLabels, t } from "./i18n.js";
import { linksCard } from "./links.js";
import { connect } from "./live.js";
import {
  attendanceCard, documentsCard, floorCard, importPanel, projectorCard, tickCountdowns, votingCard,
} from "./panels.js";
import { planFinder } from "./planfinder.js";
import { settingsForm } from "./settings.js";
import { anyProposal, commentsOn, key, proposal } from "./state.js";
import { createSyncPanel } from "./sync.js";
import {
  act, banner, commentItem, connectionIndicator, langSwitch, messages, note, planText, proposalMeta, siteMarks,
  statusChip,
} from "./widgets.js";

const app = $("#app");
const token = location.pathname.split("/")[2];
const meetingId = app.dataset.meetingId;
const csrf = app.dataset.csrf;

const AUTHORITIES = ["Desa", "Kabupaten", "Provinsi", "Pusat", "Non-pemerintah"];
const TEXT_FIELDS = ["code", "title", "problem", "proposer", "kecamatan", "desa", "volume", "unit",
                     "sector", "target_agency", "programme_code"];
const NEEDS_REASON = new Set(["tidak_dapat_diakomodir", "dialihkan"]);

let live;
const msgs = messages();
const send = (type, fields) => act(live, msgs, type, fields);
/** Send from a form: a refusal shows next to the form's button, in its note. */
const sendFrom = (where, type, fields) => live.send(type, fields).catch((err) => {
  where.show((err && err.message) || t("error_generic"), "error");
  return null;
});
let selected = null; // the proposal shown in the detail panel (null: the meeting)

// --- header ----------------------------------------------------------------------

const conn = connectionIndicator();
const statusChipEl = h("span", { class: "chip" });
const meetingButton = h("button", { type: "button" });
meetingButton.addEventListener("click", () => {
  const status = live.state && live.state.meeting.status;
  if (status === "draft") send("meeting.start");
  else if (status === "live") { if (confirm(t("close_confirm"))) send("meeting.close"); }
  else if (status === "closed") send("meeting.reopen");
});
const title = h("h1", { class: "meeting-title" }, app.dataset.meetingTitle);
const settingsButton = h("button", { type: "button", class: "secondary", on: { click: () => {
  select_(null);
  requestAnimationFrame(() => { const f = $(".settings-form"); if (f) { f.scrollIntoView(); f.querySelector("input").focus(); } });
} } }, t("meeting_settings"));
const top = h("header", { class: "topbar" },
  h("span", { class: "brand" }, "Sinkron"), title, statusChipEl, meetingButton, settingsButton, conn, langSwitch());
const bannerEl = banner();

// --- agenda ----------------------------------------------------------------------

const agendaList = h("ol", { class: "agenda-rows" });
const agendaCount = h("span", { class: "muted" });
const agendaLegend = h("div", { class: "agenda-legend small" });
const addButton = h("button", { type: "button", class: "secondary", on: { click: () => showProposalForm(null) } },
  t("add_proposal"));
const generalButton = h("button", { type: "button", class: "linkish", "data-key": "general",
                                    on: { click: () => select_(null) } });
// Imports sit in the agenda card itself, where an empty agenda points to them.
const importBox = h("details", { id: "import", class: "import-box" }, h("summary", {}, t("import_open")),
  importPanel({ meetingId, csrf }));
const importButton = h("button", { type: "button", class: "secondary", on: { click: () => {
  importBox.open = true;
  importBox.querySelector("input[type=file]").focus();
} } }, t("import_title"));
const emptyAgenda = h("div", { class: "empty-agenda", hidden: true });
const withdrawnBox = h("details", { class: "withdrawn-box", hidden: true });
const withdrawnNote = note();
const agenda = h("section", { id: "agenda", class: "card", "aria-labelledby": "agenda-h" },
  h("div", { class: "card-head" }, h("h2", { id: "agenda-h" }, t("agenda"), " ", agendaCount),
    h("div", { class: "row" }, importButton, addButton)),
  emptyAgenda, importBox, agendaLegend, agendaList, withdrawnBox, withdrawnNote, generalButton);

function renderEmptyAgenda(st) {
  const empty = !st.proposals.length;
  emptyAgenda.hidden = !empty;
  if (!empty || emptyAgenda.childNodes.length) return;
  importBox.open = true;
  fill(emptyAgenda, h("p", {}, h("strong", {}, t("empty_agenda"))),
    h("ol", {},
      h("li", {}, h("button", { type: "button", class: "linkish", on: { click: () => importButton.click() } },
        t("empty_step_import"))),
      h("li", {}, h("button", { type: "button", class: "linkish", on: { click: () => showProposalForm(null) } },
        t("empty_step_add"))),
      h("li", {}, t("empty_step_sheets"), " ", st.sites.map((site) => h("a", {
        href: `/j/${site.join_code}/sheet`, target: "_blank", rel: "noopener", class: "sheet-link" },
        t("join_sheet_for", { site: site.name }))))));
}

function renderWithdrawn(st) {
  withdrawnBox.hidden = !st.withdrawn.length;
  const sig = st.withdrawn.map((p) => `${p.id}:${p.title}`).join("|");
  if (withdrawnBox.dataset.sig === sig) return;
  withdrawnBox.dataset.sig = sig;
  fill(withdrawnBox, h("summary", {}, t("withdrawn_n", { n: st.withdrawn.length })),
    h("ul", { class: "withdrawn-list" }, st.withdrawn.map((p) => {
      const name = [p.code, p.title].filter(Boolean).join(" · ");
      return h("li", { "data-proposal-id": p.id },
        h("button", { type: "button", class: "linkish", on: { click: () => select_(p.id) } }, name),
        h("span", { class: "muted small" }, t("reason_is", { reason: (p.withdrawn && p.withdrawn.reason) || "" })),
        restoreButton(p, withdrawnNote, name));
    })));
}

function restoreButton(p, where, name) {
  return h("button", { type: "button", class: "small secondary", "data-key": `restore-${p.id}`,
                       "aria-label": t("restore_who", { title: name }),
                       on: { click: () => sendFrom(where, "proposal.restore", { proposal_id: p.id })
                         .then((ack) => ack && where.show(t("restored_saved"))) } }, t("restore"));
}

function move(st, id, delta) {
  const ids = st.proposals.map((p) => p.id);
  const i = ids.indexOf(id);
  const j = i + delta;
  if (j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  send("agenda.reorder", { proposal_ids: ids });
}

function tallyText(st, p) {
  const v = st.voting;
  const tally = v.tallies && v.tallies[key(p.id)];
  if (!v.round || !tally) return "";
  return v.round.mode === "dots" ? t("dots_n", { n: tally.total })
    : tally.mean != null ? t("score_short", { mean: tally.mean, n: tally.count }) : "";
}

function renderAgenda(st) {
  agendaCount.textContent = `(${st.proposals.length})`;
  renderEmptyAgenda(st);
  renderWithdrawn(st);
  const sig = st.sites.map((s) => s.name).join("|");
  if (agendaLegend.dataset.sig !== sig) {
    agendaLegend.dataset.sig = sig;
    fill(agendaLegend, h("span", { class: "small muted" }, t("marks_per_site")),
      legend(st.sites.map((s, n) => [s.name, `site-${n}`])));
  }
  refill(agendaList, st.proposals.map((p, i) => {
    const name = [p.code, p.title].filter(Boolean).join(" · ");
    // The most common mark per site, each chip with its site's colour (see the legend).
    const tops = st.sites.map((s, n) => {
      const x = p.summary.sites[key(s.id)];
      return h("span", { class: `site-top site-${n}` }, sr(`${s.name}: `),
        x && x.total ? statusChip(x.top, "small") : h("span", { class: "chip small st-none" }, "–"));
    });
    return h("li", { class: [p.id === st.focus && "current", p.id === selected && "selected"].filter(Boolean).join(" "),
                     "data-proposal-id": p.id },
      h("span", { class: "pos" }, String(i + 1)),
      h("div", { class: "what" },
        h("button", { type: "button", class: "linkish", "data-key": `sel-${p.id}`,
                      "aria-current": p.id === selected ? "true" : null,
                      on: { click: () => select_(p.id) } }, name),
        h("div", { class: "facts" },
          h("span", { class: "tops" }, tops),
          p.summary.disagreement ? h("span", { class: "tag warn" }, t("disagree_short")) : null,
          p.decision ? h("span", {}, t("agreed"), " ", statusChip(p.decision.status, "small")) : null,
          h("span", { class: "muted small" }, tallyText(st, p)))),
      h("div", { class: "ops" },
        h("button", { type: "button", class: "small", "data-key": `focus-${p.id}`,
                      "aria-pressed": p.id === st.focus ? "true" : "false",
                      on: { click: () => send("agenda.focus", { proposal_id: p.id === live.state.focus ? null : p.id }) } },
          t(p.id === st.focus ? "focused" : "focus"), sr(`: ${name}`)),
        h("button", { type: "button", class: "small secondary", "data-key": `up-${p.id}`, disabled: i === 0,
                      on: { click: () => move(live.state, p.id, -1) } },
          h("span", { "aria-hidden": "true" }, "↑"), sr(t("move_up", { title: name }))),
        h("button", { type: "button", class: "small secondary", "data-key": `down-${p.id}`,
                      disabled: i === st.proposals.length - 1, on: { click: () => move(live.state, p.id, 1) } },
          h("span", { "aria-hidden": "true" }, "↓"), sr(t("move_down", { title: name })))));
  }));
  const general = st.comments.filter((c) => c.proposal_id == null).length;
  generalButton.textContent = t("general_comments_n", { n: general });
  generalButton.setAttribute("aria-current", selected === null ? "true" : "false");
}

// --- detail: the selected proposal ---------------------------------------------------

const info = h("div", { class: "detail-info" });
// Suggested and attached plan items: redrawn with every change, apart from
// the forms, which keep what the facilitator is typing.
const planBox = h("div", { class: "detail-plan" });
const formsBox = h("div", { class: "detail-forms" });
const commentsBox = h("ul", { class: "comments" });
const commentsHeading = h("h3", {}, t("comments"));
// Confirmations of what changed the panel itself (added, withdrawn, restored).
const detailNote = note();
const detail = h("section", { id: "detail", class: "card", "aria-labelledby": "detail-h" },
  h("h2", { id: "detail-h" }, t("selected_proposal")), detailNote, info, planBox, formsBox, commentsHeading, commentsBox);

function select_(id) {
  selected = id;
  formsFor = undefined;
  render();
}

const planLabel = (pi) => planText(pi, pi.id);

// The decision form on screen, so adopting a plan item shows in it at once.
let decisionCtl = null;

/** One click: the plan item goes into the decision, keeping its reason,
 *  destination and follow-up (the status as planfinder.adoptStatus says). */
function adopt(p, planItemId, status) {
  const d = p.decision || {};
  const fu = d.follow_up || null;
  const where = decisionCtl && decisionCtl.proposalId === p.id ? decisionCtl.saved : detailNote;
  sendFrom(where, "proposal.decide", {
    proposal_id: p.id, status, plan_item_id: planItemId, reason: d.reason || null,
    destination: d.destination || null,
    follow_up: fu && (fu.action || fu.owner || fu.due_date) ? fu : null,
  }).then((ack) => {
    if (!ack) return;
    if (decisionCtl && decisionCtl.proposalId === p.id) decisionCtl.show(status, planItemId);
    where.show(t("adopted"));
  });
}

function decisionForm(st, p) {
  const d = p.decision || {};
  const fu = d.follow_up || {};
  const status = select([["", t("choose_status")], ...L("status_order").map((s) => [s, L("statuses", s)])],
    { name: "status", required: true }, d.status || "");
  const search = h("input", { type: "search", name: "plan_search", autocomplete: "off" });
  const plan = h("select", { name: "plan_item_id", size: 5 });
  const fillPlans = () => {
    const q = search.value.trim().toLowerCase();
    const keep = plan.value || (d.plan_item_id ? String(d.plan_item_id) : "");
    const items = live.state.plan_items.filter((pi) => !q || planLabel(pi).toLowerCase().includes(q)
      || String(pi.id) === keep);
    fill(plan, h("option", { value: "" }, t("plan_item_none")),
      items.map((pi) => h("option", { value: pi.id }, planLabel(pi))));
    plan.value = keep;
  };
  search.addEventListener("input", fillPlans);
  fillPlans();
  decisionCtl = { proposalId: p.id, saved: null, show: (s, planItemId) => {
    status.value = s;
    search.value = "";
    fillPlans();
    plan.value = String(planItemId);
  } };
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 5000 }, d.reason || "");
  const destination = h("input", { name: "destination", maxlength: 300, value: d.destination || "" });
  const saved = note();
  decisionCtl.saved = saved;
  const action = h("textarea", { name: "action", rows: 2, maxlength: 2000 }, fu.action || "");
  const owner = h("input", { name: "owner", maxlength: 300, value: fu.owner || "" });
  const due = h("input", { type: "date", name: "due_date", value: fu.due_date || "" });
  const form = h("form", { class: "stack decision-form" },
    h("h3", {}, t("decision")),
    field(t("agreed_status"), status),
    field(t("plan_item_search"), search, t("plan_item_search_hint")),
    field(t("plan_item"), plan),
    field(t("reason"), reason, t("reason_hint")),
    field(t("destination"), destination, t("destination_hint")),
    h("fieldset", {}, h("legend", {}, t("follow_up")),
      field(t("follow_up_action"), action), field(t("follow_up_owner"), owner), field(t("follow_up_due"), due)),
    h("div", {}, h("button", { type: "submit" }, t("save_decision")), saved));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!status.value) { saved.show(t("need_status"), "error"); status.focus(); return; }
    if (NEEDS_REASON.has(status.value) && !reason.value.trim()) { saved.show(t("need_reason"), "error"); reason.focus(); return; }
    const followUp = { action: action.value || null, owner: owner.value || null, due_date: due.value || null };
    sendFrom(saved, "proposal.decide", {
      proposal_id: p.id, status: status.value, plan_item_id: plan.value ? Number(plan.value) : null,
      reason: reason.value || null, destination: destination.value.trim() || null,
      follow_up: followUp.action || followUp.owner || followUp.due_date ? followUp : null,
    }).then((ack) => ack && saved.show(t("decision_saved")));
  });
  return form;
}

function proposalForm(p) {
  const controls = {};
  const text = (name, attrs = {}) => {
    controls[name] = name === "problem"
      ? h("textarea", { name, rows: 3, maxlength: 5000 }, (p && p[name]) || "")
      : h("input", { name, value: (p && p[name]) || "", ...attrs });
    return field(t(`field_${name}`), controls[name]);
  };
  controls.cost = h("input", { type: "number", name: "cost", min: 0, step: 1, inputmode: "numeric",
                               value: p && p.cost != null ? p.cost : "" });
  controls.authority = select([["", "–"], ...AUTHORITIES.map((a) => [a, a])], { name: "authority" },
    (p && p.authority) || "");
  const saved = note();
  const form = h("form", { class: "stack proposal-form" },
    text("title", { required: true, maxlength: 500 }),
    h("div", { class: "grid2" }, text("code", { maxlength: 40 }), text("proposer", { maxlength: 300 })),
    text("problem"),
    h("div", { class: "grid2" }, text("kecamatan", { maxlength: 120 }), text("desa", { maxlength: 120 })),
    h("div", { class: "grid2" }, text("volume", { maxlength: 40 }), text("unit", { maxlength: 60 })),
    h("div", { class: "grid2" }, field(t("field_cost"), controls.cost), text("sector", { maxlength: 200 })),
    text("target_agency", { maxlength: 300 }),
    h("div", { class: "grid2" }, field(t("field_authority"), controls.authority), text("programme_code", { maxlength: 60 })),
    h("div", {}, h("button", { type: "submit" }, t(p ? "save_changes" : "add_proposal")), saved));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const values = {};
    for (const name of TEXT_FIELDS) values[name] = controls[name].value.trim();
    values.cost = controls.cost.value === "" ? null : Number(controls.cost.value);
    values.authority = controls.authority.value || null;
    if (!values.title) { saved.show(t("need_title"), "error"); controls.title.focus(); return; }
    if (!p) {
      const fields = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "" && v !== null));
      sendFrom(saved, "proposal.add", fields).then((ack) => {
        if (!ack) return;
        const added = live.state.proposals[live.state.proposals.length - 1];
        select_(added ? added.id : null);
        detailNote.show(t("proposal_added"));
        detail.scrollIntoView({ block: "nearest" });
      });
      return;
    }
    const changed = {};
    for (const [name, value] of Object.entries(values)) {
      const before = p[name] ?? (name === "cost" || name === "authority" ? null : "");
      if ((value ?? "") !== (before ?? "")) changed[name] = value === "" ? null : value;
    }
    if (!Object.keys(changed).length) { saved.show(t("nothing_changed")); return; }
    sendFrom(saved, "proposal.update", { proposal_id: p.id, ...changed }).then((ack) => ack && saved.show(t("saved")));
  });
  return form;
}

function withdrawForm(p) {
  const reason = h("textarea", { name: "withdraw_reason", rows: 2, maxlength: 2000, required: true });
  const done = note();
  const form = h("form", { class: "stack withdraw-form" }, field(t("withdraw_reason"), reason),
    h("div", {}, h("button", { type: "submit", class: "danger" }, t("withdraw")), done));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!reason.value.trim()) { done.show(t("need_withdraw_reason"), "error"); reason.focus(); return; }
    sendFrom(done, "proposal.withdraw", { proposal_id: p.id, reason: reason.value.trim() })
      .then((ack) => ack && detailNote.show(t("withdrawn_saved")));
  });
  return h("details", { class: "edit" }, h("summary", {}, t("withdraw")), form);
}

function showProposalForm(p) {
  selected = p ? p.id : "new";
  formsFor = undefined;
  render();
}

let formsFor; // the selection the forms were built for

function votesFor(st, p) {
  const v = st.voting;
  if (!v.round || !v.tallies) return null;
  const tally = v.tallies[key(p.id)];
  const dots = v.round.mode === "dots";
  const part = (x) => (x ? (dots ? x.total || 0 : x.mean || 0) : 0);
  const text = (x) => (dots ? String((x && x.total) || 0) : x && x.mean != null ? `${x.mean} (${x.count})` : "–");
  const rows = st.sites.map((s, i) => {
    const x = tally && tally.sites[key(s.id)];
    return [s.name, part(x), text(x), `site-${i}`];
  });
  rows.push([t("combined"), part(tally), text(tally), "combined"]);
  const max = dots ? Math.max(1, ...Object.values(v.tallies).map((x) => x.total || 0)) : 5;
  return barChart(rows, { max, caption: t(v.round.open ? "votes_open" : "votes_closed", { n: v.round.number }) });
}

function renderDetail(st) {
  if (selected === "new") {
    if (formsFor !== "new") {
      formsFor = "new";
      refill(info, h("p", { class: "muted" }, t("new_proposal_hint")));
      fill(formsBox, h("h3", {}, t("add_proposal")), proposalForm(null));
      fill(planBox);
      fill(commentsBox);
      commentsHeading.hidden = true;
    }
    return;
  }
  commentsHeading.hidden = false;
  const p = selected != null ? anyProposal(st, selected) : null;
  if (selected != null && !p) selected = null;
  if (p && !p.withdrawn) refill(planBox, planFinder(st, p, adopt));
  else fill(planBox);
  const moderate = () => true;
  const hide = (c) => send("comment.hide", { comment_id: c.id, hidden: !c.hidden });
  if (!p) {
    refill(info,
      h("h3", {}, st.meeting.title),
      h("p", { class: "muted" }, [st.meeting.number, st.meeting.date, st.meeting.place].filter(Boolean).join(" · ")),
      h("p", { class: "muted" }, t("select_hint")));
    if (formsFor !== null) { formsFor = null; fill(formsBox, settingsForm(st, sendFrom)); }
    commentsHeading.textContent = t("general_comments");
  } else if (p.withdrawn) {
    const name = [p.code, p.title].filter(Boolean).join(" · ");
    refill(info,
      h("p", { class: "code" }, p.code || ""),
      h("h3", { class: "title" }, p.title),
      h("p", { class: "message error" }, t("withdrawn_tag"), ": ", p.withdrawn.reason),
      h("div", { class: "row" }, restoreButton(p, detailNote, name)));
    if (formsFor !== `w${p.id}`) {
      formsFor = `w${p.id}`;
      fill(formsBox, h("details", { class: "edit" }, h("summary", {}, t("edit_proposal")), proposalForm(p)));
    }
    commentsHeading.textContent = t("comments");
  } else {
    refill(info,
      h("p", { class: "code" }, p.code || ""),
      h("h3", { class: "title" }, p.title),
      h("p", { class: "meta" }, proposalMeta(p)),
      p.problem ? h("p", {}, p.problem) : null,
      h("div", { class: "row" },
        h("button", { type: "button", "data-key": "focus-detail", "aria-pressed": st.focus === p.id ? "true" : "false",
                      on: { click: () => send("agenda.focus", { proposal_id: p.id }) } },
          t(st.focus === p.id ? "focused" : "focus_this"))),
      h("h3", {}, t("both_sites")), siteMarks(st, p),
      votesFor(st, p));
    if (formsFor !== p.id) {
      formsFor = p.id;
      fill(formsBox, decisionForm(st, p),
        h("details", { class: "edit" }, h("summary", {}, t("edit_proposal")), proposalForm(p)),
        withdrawForm(p));
    }
    commentsHeading.textContent = t("comments");
  }
  const list = commentsOn(st, p ? p.id : null);
  refill(commentsBox, list.length ? list.map((c) => commentItem(st, c, { onHide: hide, canModerate: moderate }))
    : h("li", { class: "muted" }, t("no_comments")));
}

// --- assembling --------------------------------------------------------------------------

let cards = [];
let lastFocus;
let sync;

const render = throttleFrame(() => {
  conn.update(live);
  bannerEl.update(live);
  const st = live.state;
  if (!st) return;
  title.textContent = st.meeting.title;
  statusChipEl.textContent = L("meeting_statuses", st.meeting.status);
  statusChipEl.className = `chip meeting-${st.meeting.status}`;
  meetingButton.textContent = t(`meeting_action_${st.meeting.status}`);
  // The detail panel follows the focus when it changes; picking another
  // proposal in the agenda shows that one until the focus moves again.
  if (st.focus !== lastFocus) {
    lastFocus = st.focus;
    if (st.focus != null || selected === undefined) selected = st.focus;
  }
  renderAgenda(st);
  renderDetail(st);
  for (const c of cards) c.render(st);
});

selected = undefined;
loadLabels().then(() => {
  // The cards use labels (categories, views), so they are built once these are here.
  sync = createSyncPanel();
  cards = [
    projectorCard({ send }), votingCard({ send }), floorCard({ send }), sync,
    attendanceCard({ send }), documentsCard({ meetingId, token }), linksCard({ meetingId, csrf, msgs }),
  ];
  // Links and QR codes are built from the public URL: a loopback one helps no phone.
  const loopback = app.dataset.publicUrlLoopback === "1"
    ? h("p", { class: "alert-red", role: "alert" }, t("loopback_warning", { url: app.dataset.publicUrl })) : null;
  fill(app, loopback, top, bannerEl, msgs,
    h("main", { class: "console" }, agenda, detail, h("div", { class: "side" }, cards.map((c) => c.el))));
  setInterval(() => {
    if (live && live.state) sync.render(live.state);
    tickCountdowns(document.body);
  }, 1000);
  const onChange = (_, what) => (what === "presence" ? sync.render(live.state) : render());
  live = connect({ token, lang, onChange, onError: (err) => msgs.show(err.message || t("error_generic")) });
  render();
});
