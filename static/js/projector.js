// The room projector (/p/<token>): read-only, large type. Views follow
// meeting.projector_view: item, agenda, results, join. After each render it
// reports `shown {proposal_id, seq}` for the facilitator's sync panel.

import { barChart, legend, stackedBar } from "./charts.js";
import { $, fill, h, throttleFrame } from "./dom.js";
import { L, lang, loadLabels, t } from "./i18n.js";
import { connect } from "./live.js";
import { commentsOn, key, proposal, ranked, siteName } from "./state.js";
import { mmss, proposalMeta, secondsLeft, statusChip } from "./widgets.js";

const app = $("#app");
const token = location.pathname.split("/")[2];

// The agenda view pages by itself when the proposals do not fit on one screen.
const AGENDA_PAGE_MS = 8000;
const MAX_RESULT_ROWS = 12;
const LATEST_COMMENTS = 3;

function qr(site, cls) {
  return h("img", { class: cls, src: `/j/${encodeURIComponent(site.join_code)}/qr.svg`,
                    alt: t("qr_alt", { code: site.join_code }) });
}

function mySite(st) {
  return st.sites.find((s) => s.id === st.me.site_id) || st.sites[0];
}

// A closed meeting takes nobody in: no join code, no QR code.
const isClosed = (st) => st.meeting.status === "closed";

function tallyRows(st, p) {
  const v = st.voting;
  const r = v.round;
  const tally = v.tallies && v.tallies[key(p.id)];
  const dots = r.mode === "dots";
  const value = (part) => (part ? (dots ? part.total || 0 : part.mean || 0) : 0);
  const text = (part) => (dots ? t("dots_n", { n: (part && part.total) || 0 })
    : part && part.mean != null ? t("score_short", { mean: part.mean, n: part.count }) : "–");
  const rows = st.sites.map((s) => {
    const part = tally && tally.sites[key(s.id)];
    return [s.name, value(part), text(part), `site-${st.sites.indexOf(s)}`];
  });
  rows.push([t("combined"), value(tally), text(tally), "combined"]);
  let max = 5;
  if (dots) {
    max = Math.max(1, ...Object.values(v.tallies || {}).map((x) => x.total || 0));
  }
  return { rows, max };
}

function votesBlock(st, p) {
  const v = st.voting;
  if (!v.round) return null;
  const heading = t(v.round.open ? "votes_open" : "votes_closed", { n: v.round.number });
  if (!v.tallies) {
    const voters = (v.voters && v.voters.total) || 0;
    return h("div", { class: "votes" }, h("h2", {}, heading), h("p", {}, t("results_hidden", { n: voters })));
  }
  const { rows, max } = tallyRows(st, p);
  return h("div", { class: "votes" }, barChart(rows, { max, caption: heading }));
}

function marksBlock(st, p) {
  const summary = (p.summary && p.summary.sites) || {};
  const disagree = Boolean(p.summary && p.summary.disagreement);
  return h("div", { class: `marks${disagree ? " disagree" : ""}` },
    disagree ? h("p", { class: "disagree-note" }, t("sites_disagree")) : null,
    h("div", { class: "marks-cols" }, st.sites.map((site) => {
      const s = summary[key(site.id)] || { counts: {}, total: 0, top: null };
      const counts = Object.entries(s.counts || {}).sort((a, b) => b[1] - a[1]).slice(0, 3);
      return h("div", { class: `site-marks${disagree && s.total ? " disagree" : ""}` },
        h("h2", {}, site.name),
        s.total ? statusChip(s.top, "big") : h("p", { class: "muted" }, t("no_marks_yet")),
        h("ul", { class: "counts" }, counts.map(([status, n]) =>
          h("li", {}, h("span", {}, L("statuses", status)), h("b", {}, String(n))))),
        h("p", { class: "muted" }, t("marks_total", { n: s.total })));
    })));
}

function floorBlock(st) {
  const speaker = st.floor && st.floor.speaker;
  if (!speaker) return null;
  return h("div", { class: "floor" },
    h("p", { class: "speaker" }, t("speaking_now", { name: speaker.name, site: siteName(st, speaker.site_id) })),
    h("p", { class: "countdown", "data-turn-end": speaker.turn_end || "" }));
}

function itemView(st) {
  const site = mySite(st);
  const p = st.focus != null ? proposal(st, st.focus) : null;
  const side = h("aside", { class: "side" },
    isClosed(st) ? h("div", { class: "closed-box" }, h("p", {}, t("closed_thanks")))
      : h("div", { class: "join-box" }, qr(site, "qr"),
        h("p", {}, t("join_at")), h("p", { class: "code" }, site.join_code)),
    floorBlock(st),
    p ? h("div", { class: "latest" }, h("h2", {}, t("latest_comments")),
      h("ul", { class: "comments" }, commentsOn(st, p.id).slice(0, LATEST_COMMENTS).map((c) =>
        h("li", { class: `comment kind-${c.kind}`, "data-comment-id": c.id },
          h("p", { class: "comment-head" }, L("comment_kinds", c.kind), " · ", siteName(st, c.site_id)),
          h("p", { class: "comment-text" }, c.text))))) : null);
  if (!p) {
    return h("main", { class: "view view-item" },
      h("section", { class: "focus" }, h("h1", { class: "title" }, st.meeting.title),
        h("p", { class: "lead" }, t("waiting_for_focus"))), side);
  }
  const index = st.proposals.indexOf(p) + 1;
  return h("main", { class: "view view-item", "data-proposal-id": p.id },
    h("section", { class: "focus" },
      h("p", { class: "code" }, [p.code, t("n_of_m", { n: index, m: st.proposals.length })].filter(Boolean).join(" · ")),
      h("h1", { class: "title" }, p.title),
      h("p", { class: "meta" }, proposalMeta(p)),
      p.problem ? h("p", { class: "problem" }, p.problem) : null,
      p.decision ? h("p", { class: "decision" }, t("agreed"), " ", statusChip(p.decision.status, "big")) : null,
      marksBlock(st, p),
      votesBlock(st, p)),
    side);
}

let agendaStart = 0; // the first row of the page on screen
let agendaEnd = 0;   // one past its last row, once measured

function agendaView(st) {
  const rows = st.proposals;
  if (agendaStart >= rows.length) agendaStart = 0;
  return h("main", { class: "view view-agenda" },
    h("h1", {}, t("agenda"), " ", h("span", { class: "page-range" })),
    h("table", { class: "agenda-table" },
      h("colgroup", {}, h("col", { class: "c-no" }), h("col", { class: "c-title" }),
        st.sites.map(() => h("col", { class: "c-status" })), h("col", { class: "c-status" })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, t("proposal")),
        st.sites.map((s) => h("th", { scope: "col" }, s.name)), h("th", { scope: "col" }, t("agreed_status")))),
      h("tbody", {}, rows.slice(agendaStart).map((p, k) => h("tr", { class: p.id === st.focus ? "current" : "" },
        h("td", {}, String(agendaStart + k + 1)),
        // Titles wrap to two lines rather than being cut at one.
        h("td", { class: "t" }, h("div", { class: "t2" }, [p.code, p.title].filter(Boolean).join(" · "))),
        st.sites.map((s) => {
          const x = p.summary && p.summary.sites[key(s.id)];
          return h("td", {}, x && x.total ? statusChip(x.top) : "–");
        }),
        h("td", {}, p.decision ? statusChip(p.decision.status) : "–"))))));
}

/** Keep the rows that fit on the screen and say which ones they are ("13–16 of 16"). */
function fitAgenda(st) {
  const view = stage.querySelector(".view-agenda");
  if (!view) return;
  const bottom = view.getBoundingClientRect().bottom;
  const rows = [...view.querySelectorAll("tbody tr")];
  let fits = rows.findIndex((tr) => tr.getBoundingClientRect().bottom > bottom + 0.5);
  if (fits < 0) fits = rows.length;
  fits = Math.max(1, fits);
  for (const tr of rows.slice(fits)) tr.remove();
  const total = st.proposals.length;
  agendaEnd = Math.min(total, agendaStart + fits);
  const paged = agendaStart > 0 || agendaEnd < total;
  view.querySelector(".page-range").textContent = paged
    ? `· ${t("range_of", { from: agendaStart + 1, to: agendaEnd, total })}` : "";
}

setInterval(() => {
  const st = live && live.state;
  if (!st || document.body.dataset.view !== "agenda") return;
  const total = st.proposals.length;
  if (agendaStart === 0 && agendaEnd >= total) return; // everything fits
  agendaStart = agendaEnd >= total ? 0 : agendaEnd;
  render();
}, AGENDA_PAGE_MS);

function resultsView(st) {
  const v = st.voting;
  const body = [];
  if (!v.round) body.push(h("p", { class: "lead" }, t("no_voting_yet")));
  else if (!v.tallies) body.push(h("p", { class: "lead" }, t("results_hidden", { n: (v.voters && v.voters.total) || 0 })));
  else {
    const dots = v.round.mode === "dots";
    const order = ranked(st).slice(0, MAX_RESULT_ROWS);
    const max = dots ? Math.max(1, ...Object.values(v.tallies).map((x) => x.total || 0)) : 5;
    body.push(legend(st.sites.map((s, i) => [s.name, `site-${i}`])));
    body.push(h("ol", { class: "results" }, order.map(({ id: pid, rank }) => {
      const p = proposal(st, pid);
      const tally = v.tallies[key(pid)];
      const part = (sid) => tally && tally.sites[key(sid)];
      // Dots add up: one bar split per site. Scores are means: one thin bar per site.
      const bars = dots
        ? stackedBar(st.sites.map((s, n) => [(part(s.id) || {}).total || 0, `site-${n}`]), max)
        : h("div", { class: "score-bars" }, st.sites.map((s, n) => stackedBar([[(part(s.id) || {}).mean || 0, `site-${n}`]], 5)));
      const figures = dots
        ? `${st.sites.map((s) => (part(s.id) || {}).total || 0).join(" + ")} = ${(tally && tally.total) || 0}`
        : st.sites.map((s) => { const x = part(s.id); return x && x.mean != null ? x.mean : "–"; }).join(" · ")
          + ` → ${tally && tally.mean != null ? tally.mean : "–"}`;
      // Equal results share a rank (1, 2, 2, 4).
      return h("li", {}, h("span", { class: "rank" }, String(rank)),
        h("div", { class: "r" }, h("p", { class: "t" }, [p.code, p.title].filter(Boolean).join(" · ")),
          h("div", { class: "r-bar" }, bars, h("span", { class: "chart-value" }, figures))));
    })));
  }
  const title = v.round ? t(v.round.open ? "votes_open" : "votes_closed", { n: v.round.number }) : t("results");
  return h("main", { class: "view view-results" }, h("h1", {}, t("results"), " · ", title), body);
}

function joinView(st) {
  const site = mySite(st);
  if (isClosed(st)) {
    return h("main", { class: "view view-join closed" },
      h("div", {}, h("h1", {}, st.meeting.title), h("p", { class: "lead" }, site.name),
        h("p", { class: "huge-closed" }, t("closed_thanks"))));
  }
  return h("main", { class: "view view-join" },
    qr(site, "qr-big"),
    h("div", {},
      h("h1", {}, st.meeting.title),
      h("p", { class: "lead" }, site.name),
      h("p", {}, t("join_step_1")),
      h("p", {}, t("join_step_2", { url: `${app.dataset.publicUrl || location.origin}/j/${site.join_code}` })),
      h("p", { class: "code huge" }, site.join_code),
      h("p", {}, t("join_step_3"))));
}

const VIEWS = { item: itemView, agenda: agendaView, results: resultsView, join: joinView };

const dot = h("span", { class: "conn-dot", role: "status" });
const stage = h("div", { class: "stage" }, h("p", { class: "lead" }, t("loading")));
fill(app, stage, dot);

let lastShown = null;
let live;

const render = throttleFrame(() => {
  dot.dataset.status = live.status;
  dot.textContent = live.status === "online" ? "" : t(`conn_${live.status}`);
  dot.setAttribute("aria-label", t(`conn_${live.status}`));
  const st = live.state;
  if (!st) return;
  const view = VIEWS[st.projector_view] ? st.projector_view : "item";
  document.body.dataset.view = view;
  const site = mySite(st);
  document.body.dataset.meetingStatus = st.meeting.status;
  fill(stage,
    h("header", { class: "head" }, h("span", { class: "site" }, site ? site.name : ""),
      isClosed(st) ? h("span", { class: "closed-badge" }, t("closed_banner")) : null,
      h("span", { class: "meeting" }, st.meeting.title)),
    VIEWS[view](st));
  if (view === "agenda") fitAgenda(st);
  tick();
  const shown = `${st.focus}:${st.seq}`;
  if (shown !== lastShown && live.status === "online") {
    lastShown = shown;
    live.emit("shown", { proposal_id: st.focus ?? null, seq: st.seq });
  }
});

function tick() {
  for (const el of stage.querySelectorAll(".countdown")) {
    const left = secondsLeft({ turn_end: el.dataset.turnEnd });
    el.textContent = left == null ? "" : mmss(left);
    el.classList.toggle("over", left != null && left < 0);
  }
}
setInterval(tick, 1000);
// The agenda's page is measured on the screen: a new size measures again.
addEventListener("resize", () => live && render());

loadLabels().then(() => {
  live = connect({
    token, lang,
    onChange: render,
    onConnect: () => { lastShown = null; },
    onRefused: (reason) => fill(stage, h("p", { class: "lead" }, reason.message)),
  });
  render();
});
