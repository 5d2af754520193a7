// The live state of one meeting as this client sees it: a snapshot, then
// events applied one by one. Mirrors sinkron/meeting/snapshot.py and the
// event data of sinkron/meeting/commands.py. Ids that were dict keys on the
// server arrive as strings (JSON), so lookups go through key().

export const key = (id) => String(id);

export function fromSnapshot(snap) {
  const st = snap;
  st.my_marks = st.my_marks || {};
  st.comments = st.comments || [];
  st.plan_items = st.plan_items || [];
  st.withdrawn = st.withdrawn || [];
  st.voting = st.voting || { round: null, my_votes: {} };
  st.voting.my_votes = st.voting.my_votes || {};
  st.focus_suggestions = st.focus_suggestions || [];
  // suggestions and attached are the facilitator's (null for other roles).
  return st;
}

const isMe = (st, e) => Boolean(e.actor && st.me && e.actor.participant_id === st.me.participant_id);
const sees = (st, siteId) => st.me.role === "facilitator" || (st.me.role === "host" && st.me.site_id === siteId);

export const proposal = (st, id) => st.proposals.find((p) => p.id === id) || null;
/** A proposal on the agenda or withdrawn from it. */
export const anyProposal = (st, id) => proposal(st, id) || st.withdrawn.find((p) => p.id === id) || null;

function upsert(list, item) {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = { ...list[i], ...item };
  else {
    list.push(item);
    list.sort((a, b) => a.id - b.id);
  }
}

const byPosition = (a, b) => a.position - b.position || a.id - b.id;

function addProposal(st, p, summary) {
  if (!proposal(st, p.id)) st.proposals.push({ ...p, summary: summary || p.summary, decision: p.decision || null });
  st.proposals.sort(byPosition);
}

function updateProposal(st, changed) {
  const p = anyProposal(st, changed.id);
  if (p) Object.assign(p, changed);
  st.proposals.sort(byPosition);
}

/** New totals of the open round (or the latest) that an event carries. */
function applyVoting(st, voting) {
  const v = st.voting;
  if (!voting || !v.round || v.round.id !== voting.round_id) return;
  if (voting.voters) v.voters = voting.voters;
  if (voting.tallies && v.tallies) Object.assign(v.tallies, voting.tallies);
}

const attaches = (mark) => Boolean(mark) && (mark.plan_item_id != null || Boolean(mark.note));

/** One person's entry in the facilitator's attached plan items and notes. */
function setAttached(st, proposalId, who, mark) {
  if (!st.attached || !who) return;
  const k = key(proposalId);
  const entries = (st.attached[k] || []).filter((a) => a.participant_id !== who.participant_id);
  if (attaches(mark)) {
    entries.push({ participant_id: who.participant_id, name: who.name, site_id: who.site_id, ...mark });
    entries.sort((a, b) => a.participant_id - b.participant_id);
  }
  if (entries.length) st.attached[k] = entries;
  else delete st.attached[k];
}

function addAttendee(st, person) {
  if (!st.attendees) return;
  if (st.me.role === "host" && person.site_id !== st.me.site_id) return;
  upsert(st.attendees, person);
}

/** New totals by id: mark summaries per proposal, support counts per comment,
 *  and the round's voter counts and tallies (applyVoting). */
function setTotals(st, summaries, supports, voting) {
  for (const [pid, summary] of Object.entries(summaries || {})) {
    const p = proposal(st, Number(pid));
    if (p) p.summary = summary;
  }
  for (const [cid, n] of Object.entries(supports || {})) {
    const c = st.comments.find((x) => x.id === Number(cid));
    if (c) c.supports = n;
  }
  applyVoting(st, voting);
}

const HANDLERS = {
  "meeting.start": (st, d) => { st.meeting.status = d.status; },
  "meeting.reopen": (st, d) => { st.meeting.status = d.status; },
  "meeting.close": (st, d) => {
    st.meeting.status = d.status;
    if (d.voting) st.voting = { ...d.voting, my_votes: st.voting.my_votes || {} };
    if (d.floor) st.floor = d.floor;
  },
  "agenda.focus": (st, d) => {
    st.focus = d.proposal_id;
    st.focus_suggestions = d.suggestions || [];
  },
  "agenda.reorder": (st, d) => {
    const pos = new Map(d.proposal_ids.map((id, i) => [id, i + 1]));
    for (const p of st.proposals) p.position = pos.get(p.id) ?? p.position;
    st.proposals.sort((a, b) => a.position - b.position || a.id - b.id);
  },
  "projector.view": (st, d) => { st.projector_view = d.view; },
  "proposal.add": (st, d) => addProposal(st, d.proposal, d.summary),
  "proposal.import": (st, d) => {
    for (const p of d.proposals) addProposal(st, p, p.summary);
    for (const p of d.updated || []) updateProposal(st, p);
  },
  "plan_item.import": (st, d) => {
    for (const p of [...d.plan_items, ...(d.updated || [])]) upsert(st.plan_items, p);
  },
  "proposal.update": (st, d) => updateProposal(st, d.proposal),
  "proposal.withdraw": (st, d) => {
    const i = st.proposals.findIndex((p) => p.id === d.proposal_id);
    if (i >= 0) {
      const [p] = st.proposals.splice(i, 1);
      st.withdrawn.push({ ...p, withdrawn: d.withdrawn });
      st.withdrawn.sort(byPosition);
    }
    st.focus = d.focus;
    if (d.focus == null) st.focus_suggestions = [];
    // Dots on it went back to their voters, ours included.
    delete st.voting.my_votes[key(d.proposal_id)];
    applyVoting(st, d.voting);
  },
  "proposal.restore": (st, d) => {
    st.withdrawn = st.withdrawn.filter((p) => p.id !== d.proposal.id);
    addProposal(st, d.proposal, d.proposal.summary);
    applyVoting(st, d.voting);
  },
  "meeting.update": (st, d) => {
    st.meeting = { ...st.meeting, ...d.meeting };
    const sites = new Map(d.sites.map((s) => [s.id, s]));
    st.sites = st.sites.map((s) => ({ ...s, ...(sites.get(s.id) || {}) }));
  },
  "proposal.mark": (st, d, e) => {
    const p = proposal(st, d.proposal_id);
    if (p) p.summary = d.summary;
    setAttached(st, d.proposal_id, e.actor, d.mark);
    if (isMe(st, e)) {
      if (d.mark) st.my_marks[key(d.proposal_id)] = d.mark;
      else delete st.my_marks[key(d.proposal_id)];
    }
  },
  "proposal.decide": (st, d) => {
    const p = proposal(st, d.proposal_id);
    if (p) p.decision = d.decision;
  },
  "voting.open": (st, d) => {
    const hidden = d.round.hide_results && st.me.role !== "facilitator";
    st.voting = { round: d.round, voters: { sites: {}, total: 0 }, tallies: hidden ? null : {},
                  ranking: null, ranking_by_site: null, my_votes: {} };
  },
  "voting.close": (st, d) => { st.voting = { ...d, my_votes: st.voting.my_votes || {} }; },
  "vote.cast": (st, d) => {
    const v = st.voting;
    if (!v.round || v.round.id !== d.round_id) return;
    if (d.tally) {
      v.tallies = v.tallies || {};
      v.tallies[key(d.proposal_id)] = d.tally;
    }
    v.voters = d.voters;
  },
  "comment.add": (st, d) => upsert(st.comments, { ...d.comment, supported: false }),
  "comment.support": (st, d, e) => {
    const c = st.comments.find((x) => x.id === d.comment_id);
    if (!c) return;
    c.supports = d.supports;
    if (isMe(st, e)) c.supported = d.on;
  },
  "comment.hide": (st, d) => {
    const i = st.comments.findIndex((x) => x.id === d.comment_id);
    if (d.hidden) {
      if (i < 0) return;
      if (sees(st, st.comments[i].site_id)) st.comments[i].hidden = true;
      else st.comments.splice(i, 1);
    } else if (d.comment) {
      upsert(st.comments, { supported: false, ...(i >= 0 ? st.comments[i] : {}), ...d.comment, hidden: false });
    }
  },
  "attendance.add": (st, d) => addAttendee(st, d.participant),
  "participant.join": (st, d) => addAttendee(st, d.participant),
  "participant.revoke": (st, d) => {
    const a = (st.attendees || []).find((x) => x.id === d.participant_id);
    if (a) a.revoked = true;
    for (const pid of Object.keys(st.attached || {})) setAttached(st, pid, { participant_id: d.participant_id }, null);
    if (d.floor) st.floor = d.floor;
    // A revoked participant no longer counts: the server withdrew their
    // marks, supports and open-round votes and sends the new totals.
    setTotals(st, d.summaries, d.supports, d.voting);
  },
  // A run of crowd events as its last totals (auth.compact; docs/protocol.md).
  totals: (st, d) => {
    setTotals(st, d.summaries, d.supports, d.votes);
    if (d.floor) st.floor = d.floor;
    // The facilitator's items say who marked what (the plan items people attached).
    for (const [pid, people] of Object.entries(d.marks || {})) {
      for (const [who, x] of Object.entries(people)) {
        setAttached(st, pid, { participant_id: Number(who), name: x.name, site_id: x.site_id }, x.mark);
      }
    }
  },
  // Recomputed suggested plan items: all changed ones for the facilitator,
  // the focused proposal's top three for everyone.
  "suggestions.update": (st, d) => {
    if (st.suggestions && d.suggestions) {
      for (const pid of d.cleared || []) delete st.suggestions[key(pid)];
      Object.assign(st.suggestions, d.suggestions);
    }
    st.focus_suggestions = d.focus_suggestions || [];
  },
  // A replaced link: only a new join code changes what screens show.
  "link.replace": (st, d) => {
    const site = d.join_code ? st.sites.find((s) => s.id === d.site_id) : null;
    if (site) site.join_code = d.join_code;
  },
  "floor.request": (st, d) => { st.floor = d.floor; },
  "floor.withdraw": (st, d) => { st.floor = d.floor; },
  "floor.grant": (st, d) => { st.floor = d.floor; },
  "floor.end": (st, d) => { st.floor = d.floor; },
};

/** Apply one event (already checked to be the next seq). Unknown types only advance seq. */
export function applyEvent(st, e) {
  const handler = HANDLERS[e.type];
  if (handler) handler(st, e.data || {}, e);
  st.seq = e.seq;
}

/** What an acknowledged command tells us that no event may: our own votes
 *  (vote events carry no actor, ballots are private), and our own marks and
 *  supports, which a `totals` item sums up without saying who did what. */
export function noteAccepted(st, cmd) {
  if (!st) return;
  if (cmd.type === "vote.cast" && st.voting.round) {
    if (cmd.value) st.voting.my_votes[key(cmd.proposal_id)] = cmd.value;
    else delete st.voting.my_votes[key(cmd.proposal_id)];
  } else if (cmd.type === "proposal.mark") {
    if (cmd.status) {
      st.my_marks[key(cmd.proposal_id)] = { status: cmd.status, plan_item_id: cmd.plan_item_id ?? null,
                                            note: (cmd.note || "").trim() };
    } else delete st.my_marks[key(cmd.proposal_id)];
  } else if (cmd.type === "comment.support") {
    const c = st.comments.find((x) => x.id === cmd.comment_id);
    if (c) c.supported = cmd.on;
  }
}

// --- derived values --------------------------------------------------------

export const siteName = (st, id) => (st.sites.find((s) => s.id === id) || {}).name || "";

/** How many earlier comments on a proposal (null: the meeting) the
 *  snapshot left out: participants get the latest few, the rest on request. */
export function earlierCount(st, proposalId) {
  const e = (st.comments_earlier || []).find((x) => (x.proposal_id ?? null) === (proposalId ?? null));
  return e ? e.count : 0;
}

/** Apply the answer to a `comments` request: older comments, oldest first. */
export function addEarlierComments(st, proposalId, answer) {
  for (const c of answer.comments) upsert(st.comments, c);
  const e = (st.comments_earlier || []).find((x) => (x.proposal_id ?? null) === (proposalId ?? null));
  if (e) e.count = answer.more ? Math.max(0, e.count - answer.comments.length) : 0;
}

/** Visible comments on a proposal (null: on the meeting), newest first. */
export function commentsOn(st, proposalId) {
  return st.comments.filter((c) => (c.proposal_id ?? null) === (proposalId ?? null)).reverse();
}

/** Ranking from live tallies, best first: [{id, rank}]. Dots by total,
 *  scores by mean then count; equal results share a rank (1, 2, 2, 4) and
 *  keep agenda order within it (as the server's tallies.ranking). */
export function ranked(st, siteId = null) {
  const v = st.voting;
  if (!v.round || !v.tallies) return [];
  const part = (pid) => {
    const t = v.tallies[key(pid)];
    if (!t) return {};
    return (siteId === null ? t : t.sites[key(siteId)]) || {};
  };
  const score = (pid) => {
    const x = part(pid);
    return v.round.mode === "dots" ? [-(x.total || 0)]
      : [x.mean == null ? 1 : 0, -(x.mean || 0), -(x.count || 0)];
  };
  const order = st.proposals.map((p) => p.id);
  const scores = new Map(order.map((pid) => [pid, score(pid)]));
  const compare = (sa, sb) => {
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i] - sb[i];
    return 0;
  };
  const sorted = order.map((pid, i) => [pid, i])
    .sort(([a, ia], [b, ib]) => compare(scores.get(a), scores.get(b)) || ia - ib);
  let rank = 0;
  return sorted.map(([pid], i) => {
    if (i === 0 || compare(scores.get(pid), scores.get(sorted[i - 1][0])) !== 0) rank = i + 1;
    return { id: pid, rank };
  });
}

/** Proposal ids best first. */
export const ranking = (st, siteId = null) => ranked(st, siteId).map((r) => r.id);

/** The number a tally shows: dots total, or mean score. */
export function tallyValue(mode, part) {
  if (!part) return 0;
  return mode === "dots" ? part.total || 0 : part.mean || 0;
}

// --- plan items ----------------------------------------------------------------

export const planItem = (st, id) => st.plan_items.find((pi) => pi.id === id) || null;

/** The plan items people attached to their marks on a proposal, most attached
 *  first: [{plan_item_id, total, sites: {site_id: n}, people: [...]}], and the
 *  notes of marks without a plan item. */
export function attachedFor(st, proposalId) {
  const entries = (st.attached && st.attached[key(proposalId)]) || [];
  const groups = new Map();
  const notes = [];
  for (const a of entries) {
    if (a.plan_item_id == null) { notes.push(a); continue; }
    const g = groups.get(a.plan_item_id) || { plan_item_id: a.plan_item_id, total: 0, sites: {}, people: [] };
    g.total += 1;
    g.sites[key(a.site_id)] = (g.sites[key(a.site_id)] || 0) + 1;
    g.people.push(a);
    groups.set(a.plan_item_id, g);
  }
  const items = [...groups.values()].sort((a, b) => b.total - a.total || a.plan_item_id - b.plan_item_id);
  return { items, notes };
}

const ACCOMMODATED = new Set(["terakomodir_kab", "terakomodir_prov", "terakomodir_sebagian"]);

/** The status that says "accommodated in this plan item": `preferred` when it
 *  is one of those, else by the plan item's level (its Kewenangan, else its
 *  document's name: "RKPD Provinsi ...", "RKPD Prov. ..."). */
export function accommodatedStatus(pi, preferred) {
  if (ACCOMMODATED.has(preferred)) return preferred;
  const level = ((pi && (pi.authority || pi.document)) || "").toLowerCase();
  return /\bprov/.test(level) ? "terakomodir_prov" : "terakomodir_kab";
}
