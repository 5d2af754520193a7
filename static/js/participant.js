// The phone page (/j/<code>) for participants, and for site hosts (/h/<token>)
// with their controls added: join, follow the focused item, mark, comment,
// support, vote, raise a hand, see what the other site says.

import { $, field, fill, h, keepDraft, refill, select, sr, throttleFrame } from "./dom.js";
import { L, lang, loadLabels, t } from "./i18n.js";
import { connect } from "./live.js";
import {
  accommodatedStatus, addEarlierComments, commentsOn, earlierCount, key, planItem, proposal, siteName,
} from "./state.js";
import {
  act, banner, commentItem, connectionIndicator, langSwitch, messages, mmss, planText, proposalMeta,
  secondsLeft, siteMarks, statusChip,
} from "./widgets.js";

const app = $("#app");
const code = app.dataset.joinCode;
const path = location.pathname.split("/");
// Private links open this page too: hosts (/h/<token>), and the facilitator
// for their own marks and votes (/f/<token>/phone).
const isHostPage = path[1] === "h";
const linkToken = isHostPage || (path[1] === "f" && path[3] === "phone") ? path[2] : null;
const tokenKey = `sinkron:join:${code}`;

function storedToken() {
  try {
    const saved = JSON.parse(localStorage.getItem(tokenKey) || "null");
    return saved && typeof saved.token === "string" ? saved.token : null;
  } catch (_) {
    return null;
  }
}

function header() {
  const conn = connectionIndicator();
  // Before the state arrives: the site; then whose phone this is, at which site.
  const where = h("span", { class: "where" }, app.dataset.siteName);
  const el = h("header", { class: "topbar" },
    h("span", { class: "brand" }, "Sinkron"), where, conn, langSwitch());
  return { el, conn, where };
}

// --- joining -------------------------------------------------------------------

function showJoin(notice) {
  const { el: top } = header();
  const msgs = messages();
  const name = h("input", { name: "name", required: true, maxlength: 200, autocomplete: "name" });
  const category = select([["", t("choose_category")], ...Object.entries(L("categories"))],
    { name: "category", required: true });
  const organisation = h("input", { name: "organisation", maxlength: 200, autocomplete: "organization" });
  const gender = select([["", t("gender_none")], ...Object.entries(L("genders"))], { name: "gender" });
  const submit = h("button", { type: "submit" }, t("join_button"));
  const form = h("form", { class: "stack card", novalidate: true },
    field(t("your_name"), name),
    field(t("category"), category),
    field(t("organisation_optional"), organisation),
    field(t("gender_optional"), gender),
    submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) { msgs.show(t("need_name")); name.focus(); return; }
    if (!category.value) { msgs.show(t("need_category")); category.focus(); return; }
    submit.disabled = true;
    try {
      const res = await fetch(`/api/join?lang=${lang}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": lang },
        body: JSON.stringify({ code, name: name.value, category: category.value,
                               organisation: organisation.value, gender: gender.value || null }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 201) {
        msgs.show((body.error && body.error.message) || t("error_generic"));
        return;
      }
      localStorage.setItem(tokenKey, JSON.stringify({ token: body.token, participant_id: body.participant_id }));
      startApp(body.token, false);
    } catch (_) {
      msgs.show(t("join_offline"));
    } finally {
      submit.disabled = false;
    }
  });
  fill(app, top,
    h("main", { class: "content join" },
      h("h1", {}, app.dataset.meetingTitle),
      h("p", { class: "lead" }, t("join_intro", { site: app.dataset.siteName })),
      notice ? h("p", { class: "message error" }, notice) : null,
      msgs, form));
  name.focus();
}

// --- the live page -----------------------------------------------------------------

function section(id, title, ...children) {
  const heading = h("h2", { id: `${id}-h` }, title);
  return h("section", { id, class: "card", "aria-labelledby": heading.id }, heading, ...children);
}

function startApp(token, isHost) {
  const { el: top, conn, where } = header();
  const bannerEl = banner();
  const msgs = messages();
  let live;
  const send = (type, fields) => act(live, msgs, type, fields);

  // Now: the focused proposal.
  const now = h("div", { class: "now-body" }, h("p", { class: "muted" }, t("loading")));

  // Your mark.
  const markStatus = h("select", { name: "status" });
  const markPlan = h("select", { name: "plan_item_id" });
  const markNote = h("input", { name: "note", maxlength: 500 });
  const myMark = h("p", { class: "my-mark" });
  const markSubmit = h("button", { type: "submit" }, t("save_mark"));
  const markWithdraw = h("button", { type: "button", class: "secondary" }, t("withdraw_mark"));
  // The focused proposal's top suggested plan items (they come with the focus):
  // one tap marks it accommodated there.
  const markSuggest = h("div", { class: "mark-suggest", hidden: true });
  // A closed (or not yet started) meeting turns the forms read-only, saying why.
  // Until the first snapshot they are read-only too: a comment sent before it
  // would not know the focused proposal and land on the meeting instead.
  const markFields = h("fieldset", { class: "plain stack", disabled: true },
    markSuggest,
    field(t("status"), markStatus),
    field(t("plan_item_optional"), markPlan, t("plan_item_hint")),
    field(t("note_optional"), markNote),
    h("div", { class: "row" }, markSubmit, markWithdraw));
  const markNotice = h("p", { class: "message error form-closed", hidden: true });
  const markForm = h("form", { class: "stack" }, myMark, markNotice, markFields);
  let formFor; // the proposal the mark form was last filled for
  const markIdle = h("p", { class: "muted" }, t("no_focus"));

  // Comments.
  const commentKind = select(Object.entries(L("comment_kinds")), { name: "kind" }, "masukan");
  const commentText = h("textarea", { name: "text", rows: 3, maxlength: 2000, required: true });
  const clearDraft = keepDraft(commentText, `sinkron:draft:${code || token.slice(0, 8)}`);
  const commentTarget = h("p", { class: "muted small" });
  const commentFields = h("fieldset", { class: "plain stack", disabled: true },
    field(t("comment_kind"), commentKind),
    field(t("your_comment"), commentText),
    h("button", { type: "submit" }, t("send_comment")));
  const commentNotice = h("p", { class: "message error form-closed", hidden: true });
  const commentForm = h("form", { class: "stack" }, commentTarget, commentNotice, commentFields);
  const commentList = h("ul", { class: "comments", "aria-live": "polite" });

  const rooms = h("div");
  const voteBody = h("div");
  const voteSection = section("vote", t("voting"), voteBody);
  const floorBody = h("div", { class: "floor" });
  const agendaList = h("ol", { id: "agenda-all", class: "agenda" });
  const agendaSummary = h("summary", {}, t("all_proposals"));
  const budget = h("footer", { class: "budget", role: "status", hidden: true });

  const main = h("main", { class: "content phone" },
    section("now", t("now_discussed"), now),
    voteSection, // while a round is open, voting comes first
    section("mark", t("your_mark"), markIdle, markForm),
    section("rooms", t("both_sites"), rooms),
    section("comments", t("comments"), commentForm, commentList),
    section("floor", t("floor"), floorBody),
    h("section", { class: "card", "aria-label": t("all_proposals") },
      h("details", {}, agendaSummary, agendaList)));
  fill(app, top, bannerEl, msgs, main, budget);

  let hostPanel = null;
  if (isHost) {
    import("./host.js").then(({ createHostPanel }) => {
      hostPanel = createHostPanel({ live, send, msgs });
      main.append(hostPanel.el);
      render();
    });
  }

  // --- actions ---
  markForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const st = live.state;
    if (!st || st.focus == null) return;
    if (!markStatus.value) { msgs.show(t("need_status")); markStatus.focus(); return; }
    send("proposal.mark", { proposal_id: st.focus, status: markStatus.value,
                            plan_item_id: markPlan.value ? Number(markPlan.value) : null,
                            note: markNote.value || null })
      .then((ack) => ack && msgs.show(t("mark_saved"), "ok"));
  });
  markSuggest.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-plan-item-id]");
    const st = live.state;
    if (!button || !st || st.focus == null) return;
    const planItemId = Number(button.dataset.planItemId);
    const mine = st.my_marks[key(st.focus)];
    const status = accommodatedStatus(planItem(st, planItemId), markStatus.value || (mine && mine.status));
    markStatus.value = status;
    markPlan.value = String(planItemId);
    send("proposal.mark", { proposal_id: st.focus, status, plan_item_id: planItemId, note: markNote.value || null })
      .then((ack) => ack && msgs.show(t("mark_saved"), "ok"));
  });
  markWithdraw.addEventListener("click", () => {
    const st = live.state;
    if (!st || st.focus == null) return;
    send("proposal.mark", { proposal_id: st.focus, status: null });
    markStatus.value = "";
  });
  commentForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = commentText.value.trim();
    if (!text) { msgs.show(t("need_comment")); commentText.focus(); return; }
    const st = live.state;
    if (!st) { msgs.show(t("loading")); return; } // the draft stays
    send("comment.add", { kind: commentKind.value, text,
                          proposal_id: st && st.focus != null ? st.focus : null });
    commentText.value = "";
    clearDraft();
  });
  const support = (c) => send("comment.support", { comment_id: c.id, on: !c.supported });
  const hide = (c) => send("comment.hide", { comment_id: c.id, hidden: !c.hidden });

  // --- rendering ---
  function pendingVotes() {
    const out = {};
    for (const c of live.outbox) if (c.type === "vote.cast") out[key(c.proposal_id)] = c.value;
    return out;
  }

  // Why the forms are read-only, or null while the meeting is live.
  const closedReason = (st) => (st.meeting.status === "live" ? null
    : t(st.meeting.status === "closed" ? "forms_closed" : "forms_not_started"));

  function renderReadOnly(st) {
    const reason = closedReason(st);
    for (const [fields, notice] of [[markFields, markNotice], [commentFields, commentNotice]]) {
      fields.disabled = Boolean(reason);
      notice.hidden = !reason;
      notice.textContent = reason || "";
    }
  }

  function renderNow(st) {
    const p = st.focus != null ? proposal(st, st.focus) : null;
    // Before the start and after the close, marks, comments and votes are refused.
    const state = st.meeting.status === "live" ? null
      : h("p", { class: "message error" }, t(st.meeting.status === "closed" ? "meeting_closed" : "meeting_not_started"));
    if (!p) {
      refill(now, state, h("p", { class: "muted" }, t("no_focus")));
      return null;
    }
    refill(now, state,
      p.code ? h("p", { class: "code" }, p.code) : null,
      h("h3", { class: "title" }, p.title),
      h("p", { class: "meta" }, proposalMeta(p)),
      p.decision ? h("p", {}, t("agreed"), " ", statusChip(p.decision.status)) : null,
      p.problem ? h("details", {}, h("summary", {}, t("problem")), h("p", {}, p.problem)) : null);
    return p;
  }

  function planOptions(st) {
    const opts = [["", t("plan_item_none")]];
    for (const pi of st.plan_items) {
      const name = pi.sub_activity || pi.activity || pi.programme || pi.code;
      opts.push([pi.id, [pi.code, name, pi.agency && `(${pi.agency})`].filter(Boolean).join(" ")]);
    }
    return opts;
  }

  function renderMark(st, p) {
    markForm.hidden = !p;
    markIdle.hidden = Boolean(p);
    if (!p) return;
    const mine = st.my_marks[key(p.id)];
    if (markPlan.options.length !== st.plan_items.length + 1) {
      const value = markPlan.value;
      fill(markPlan, [...select(planOptions(st)).options]);
      markPlan.value = value;
    }
    if (markStatus.options.length <= 1) {
      fill(markStatus, [...select([["", t("choose_status")],
        ...L("status_order").map((s) => [s, L("statuses", s)])]).options]);
    }
    if (formFor !== p.id) {
      formFor = p.id;
      markStatus.value = mine ? mine.status : "";
      markPlan.value = mine && mine.plan_item_id ? String(mine.plan_item_id) : "";
      markNote.value = mine ? mine.note || "" : "";
    }
    fill(myMark, mine ? [t("your_current_mark"), " ", statusChip(mine.status)] : t("not_marked_yet"));
    renderSuggestions(st, mine);
    markWithdraw.hidden = !mine;
  }

  function renderSuggestions(st, mine) {
    const items = st.focus_suggestions || [];
    markSuggest.hidden = !items.length;
    refill(markSuggest, items.length ? [
      h("p", { class: "label" }, t("suggested_for_mark")),
      h("ul", { class: "suggest-list" }, items.map((s) => {
        const chosen = Boolean(mine && mine.plan_item_id === s.plan_item_id);
        return h("li", {}, h("button", {
          type: "button", class: chosen ? "suggestion chosen" : "suggestion secondary",
          "data-plan-item-id": s.plan_item_id, "data-key": `suggest-${s.plan_item_id}`,
          "aria-pressed": chosen ? "true" : "false",
        }, planText(planItem(st, s.plan_item_id), s.plan_item_id),
        s.strong ? h("span", { class: "tag strong" }, t("strong_tag")) : null));
      })),
      h("small", { class: "hint" }, t("suggestion_tap_hint"))] : []);
  }

  function renderComments(st, p) {
    commentTarget.textContent = p ? t("comment_on", { title: p.title }) : t("comment_on_meeting");
    const list = commentsOn(st, p ? p.id : null);
    const moderate = (c) => isHost && c.site_id === st.me.site_id;
    const readOnly = Boolean(closedReason(st));
    const items = list.length
      ? list.map((c) => commentItem(st, c, { onSupport: support, onHide: hide, canModerate: moderate, readOnly }))
      : [h("li", { class: "muted" }, t("no_comments"))];
    const earlier = earlierCount(st, p ? p.id : null);
    if (earlier > 0) {
      const more = h("button", { type: "button", class: "secondary" }, t("earlier_comments", { n: earlier }));
      more.addEventListener("click", () => loadEarlier(p ? p.id : null, list, more));
      items.push(h("li", {}, more));
    }
    refill(commentList, items);
  }

  async function loadEarlier(proposalId, shown, button) {
    button.disabled = true;
    const oldest = shown.length ? Math.min(...shown.map((c) => c.id)) : null;
    const answer = await live.ask("comments", { proposal_id: proposalId, before_id: oldest });
    if (answer && answer.ok && live.state) addEarlierComments(live.state, proposalId, answer);
    else msgs.show(answer && answer.error ? answer.error.message : t("earlier_failed"));
    render();
  }

  function renderVote(st) {
    const v = st.voting;
    const open = v.round && v.round.open;
    voteSection.hidden = !open;
    budget.hidden = !open;
    if (!open) return;
    const r = v.round;
    const mine = { ...v.my_votes, ...pendingVotes() };
    const spent = Object.values(mine).reduce((a, b) => a + b, 0);
    const left = r.budget - spent;
    const rows = st.proposals.map((p) => {
      const value = mine[key(p.id)] || 0;
      const title = [p.code, p.title].filter(Boolean).join(" · ");
      let control;
      if (r.mode === "dots") {
        control = h("div", { class: "stepper", role: "group", "aria-label": t("dots_for", { title }) },
          h("button", { type: "button", "data-key": `m${p.id}`, disabled: value <= 0,
                        on: { click: () => send("vote.cast", { proposal_id: p.id, value: value - 1 }) } },
            h("span", { "aria-hidden": "true" }, "−"), sr(t("dot_minus", { title }))),
          h("output", { class: "count" }, String(value)),
          h("button", { type: "button", "data-key": `p${p.id}`, disabled: value >= r.max_per_proposal || left <= 0,
                        on: { click: () => send("vote.cast", { proposal_id: p.id, value: value + 1 }) } },
            h("span", { "aria-hidden": "true" }, "+"), sr(t("dot_plus", { title }))));
      } else {
        control = h("div", { class: "scores", role: "group", "aria-label": t("score_for", { title }) },
          [1, 2, 3, 4, 5].map((n) => h("button", {
            type: "button", "data-key": `s${p.id}-${n}`, "aria-pressed": value === n ? "true" : "false",
            on: { click: () => send("vote.cast", { proposal_id: p.id, value: n }) } },
            String(n), sr(` ${t("score_n_for", { title })}`))));
      }
      const tally = v.tallies && v.tallies[key(p.id)];
      const shown = tally ? (r.mode === "dots" ? t("dots_total", { n: tally.total })
        : tally.mean != null ? t("score_mean", { mean: tally.mean, n: tally.count }) : "") : "";
      return h("li", { class: [value && "voted", p.id === st.focus && "current"].filter(Boolean).join(" ") },
        h("span", { class: "vote-title" }, title,
          p.id === st.focus ? h("span", { class: "tag" }, t("now")) : null), control,
        shown ? h("span", { class: "muted small" }, shown) : null);
    });
    refill(voteBody,
      h("p", { class: "muted" }, r.mode === "dots"
        ? t("dots_rules", { budget: r.budget, max: r.max_per_proposal }) : t("score_rules")),
      r.hide_results ? h("p", { class: "muted small" }, t("results_hidden", { n: (v.voters && v.voters.total) || 0 })) : null,
      h("ol", { class: "votes" }, rows));
    if (r.mode === "dots") {
      fill(budget, h("span", { class: "dots", "aria-hidden": "true" },
        Array.from({ length: r.budget }, (_, i) => h("span", { class: i < left ? "dot-left" : "dot-used" }))),
      h("strong", {}, t("dots_left", { left, budget: r.budget })));
    } else {
      const scored = Object.keys(mine).length;
      fill(budget, h("strong", {}, t("scored_n", { n: scored, total: st.proposals.length })));
    }
  }

  function renderFloor(st) {
    const f = st.floor || { queue: [] };
    const me = st.me.participant_id;
    const mine = f.queue.find((q) => q.participant_id === me);
    const place = mine ? f.queue.indexOf(mine) + 1 : 0;
    const speaker = f.speaker;
    const speaking = Boolean(speaker && speaker.participant_id === me);
    const reason = closedReason(st);
    // While it is my turn, the button offers to lower the hand (ending the turn).
    const handUp = Boolean(mine) || speaking;
    refill(floorBody,
      speaking ? h("p", { class: "speaker me" }, h("strong", {}, t("you_are_speaking")), " ",
        h("span", { class: "countdown", "data-turn-end": speaker.turn_end || "" }))
        : speaker ? h("p", { class: "speaker" }, t("speaking_now", { name: speaker.name, site: siteName(st, speaker.site_id) }),
          " ", h("span", { class: "countdown", "data-turn-end": speaker.turn_end || "" }))
          : h("p", { class: "muted" }, t("nobody_speaking")),
      h("p", { class: "muted small" }, t("queue_n", { n: f.queue.length })),
      mine ? h("p", {}, t("hand_raised", { n: place })) : null,
      reason ? h("p", { class: "message error form-closed" }, reason) : null,
      h("button", { type: "button", "data-key": "hand", disabled: Boolean(reason),
                    on: { click: () => send(handUp ? "floor.withdraw" : "floor.request",
                                             handUp ? {} : { proposal_id: live.state.focus ?? null }) } },
        t(speaking ? "lower_hand_speaking" : mine ? "lower_hand" : "raise_hand")));
    tick();
  }

  function renderAgenda(st) {
    agendaSummary.textContent = t("all_proposals_n", { n: st.proposals.length });
    refill(agendaList, st.proposals.map((p) => h("li", { class: p.id === st.focus ? "current" : "" },
      h("span", {}, [p.code, p.title].filter(Boolean).join(" · ")), " ",
      p.id === st.focus ? h("span", { class: "tag" }, t("now")) : null,
      p.decision ? statusChip(p.decision.status) : null)));
  }

  const render = throttleFrame(() => {
    conn.update(live);
    bannerEl.update(live);
    const st = live.state;
    if (!st) return;
    document.body.dataset.meetingStatus = st.meeting.status;
    if (st.me.name) where.textContent = t("this_phone", { name: st.me.name, site: siteName(st, st.me.site_id) });
    renderReadOnly(st);
    const p = renderNow(st);
    renderMark(st, p);
    refill(rooms, p ? siteMarks(st, p, { mySite: st.me.site_id }) : h("p", { class: "muted" }, t("no_focus")));
    renderComments(st, p);
    renderVote(st);
    renderFloor(st);
    renderAgenda(st);
    if (hostPanel) hostPanel.render(st);
  });

  function tick() {
    for (const el of floorBody.querySelectorAll(".countdown")) {
      const left = secondsLeft({ turn_end: el.dataset.turnEnd });
      el.textContent = left == null ? "" : mmss(left);
      el.classList.toggle("over", left != null && left < 0);
    }
  }
  setInterval(tick, 1000);

  live = connect({
    token, lang,
    onChange: (_, what) => { if (what !== "presence") render(); },
    onError: (err) => msgs.show(err.message || t("error_generic")),
    onRefused: (reason) => {
      if (!linkToken) {
        localStorage.removeItem(tokenKey);
        showJoin(reason.message);
      } else {
        msgs.show(reason.message);
      }
    },
  });
  render();
}

loadLabels().then(() => {
  if (linkToken) startApp(linkToken, isHostPage);
  else {
    const token = storedToken();
    if (token) startApp(token, false);
    else showJoin();
  }
});
