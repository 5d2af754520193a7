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
  st.voting = st.voting || { round: null, my_votes: {} };
  st.voting.my_votes = st.voting.my_votes || {};
  return st;
}

const isMe = (st, e) => Boolean(e.actor && st.me && e.actor.participant_id === st.me.participant_id);
const sees = (st, siteId) => st.me.role === "facilitator" || (st.me.role === "host" && st.me.site_id === siteId);

export const proposal = (st, id) => st.proposals.find((p) => p.id === id) || null;

function upsert(list, item) {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = { ...list[i], ...item };
  else {
    list.push(item);
    list.sort((a, b) => a.id - b.id);
  }
}

function addProposal(st, p, summary) {
  if (!proposal(st, p.id)) st.proposals.push({ ...p, summary: summary || p.summary, decision: p.decision || null });
  st.proposals.sort((a, b) => a.position - b.position || a.id - b.id);
}

function addAttendee(st, person) {
  if (!st.attendees) return;
  if (st.me.role === "host" && person.site_id !== st.me.site_id) return;
  upsert(st.attendees, person);
}

/** New totals by id: mark summaries per proposal, support counts per comment,
 *  and an open round's voter counts and tallies (without tallies when hidden). */
function setTotals(st, summaries, supports, voting) {
  for (const [pid, summary] of Object.entries(summaries || {})) {
    const p = proposal(st, Number(pid));
    if (p) p.summary = summary;
  }
  for (const [cid, n] of Object.entries(supports || {})) {
    const c = st.comments.find((x) => x.id === Number(cid));
    if (c) c.supports = n;
  }
  const v = st.voting;
  if (voting && v.round && v.round.id === voting.round_id) {
    v.voters = voting.voters;
    if (voting.tallies) v.tallies = { ...(v.tallies || {}), ...voting.tallies };
  }
}

const HANDLERS = {
  "meeting.start": (st, d) => { st.meeting.status = d.status; },
  "meeting.reopen": (st, d) => { st.meeting.status = d.status; },
  "meeting.close": (st, d) => {
    st.meeting.status = d.status;
    if (d.voting) st.voting = { ...d.voting, my_votes: st.voting.my_votes || {} };
    if (d.floor) st.floor = d.floor;
  },
  "agenda.focus": (st, d) => { st.focus = d.proposal_id; },
  "agenda.reorder": (st, d) => {
    const pos = new Map(d.proposal_ids.map((id, i) => [id, i + 1]));
    for (const p of st.proposals) p.position = pos.get(p.id) ?? p.position;
    st.proposals.sort((a, b) => a.position - b.position || a.id - b.id);
  },
  "projector.view": (st, d) => { st.projector_view = d.view; },
  "proposal.add": (st, d) => addProposal(st, d.proposal, d.summary),
  "proposal.import": (st, d) => { for (const p of d.proposals) addProposal(st, p, p.summary); },
  "plan_item.import": (st, d) => { for (const p of d.plan_items) upsert(st.plan_items, p); },
  "proposal.update": (st, d) => {
    const p = proposal(st, d.proposal.id);
    if (p) Object.assign(p, d.proposal);
    st.proposals.sort((a, b) => a.position - b.position || a.id - b.id);
  },
  "proposal.mark": (st, d, e) => {
    const p = proposal(st, d.proposal_id);
    if (p) p.summary = d.summary;
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
    if (d.floor) st.floor = d.floor;
    // A revoked participant no longer counts: the server withdrew their
    // marks, supports and open-round votes and sends the new totals.
    setTotals(st, d.summaries, d.supports, d.voting);
  },
  // A run of crowd events as its last totals (auth.compact; docs/protocol.md).
  totals: (st, d) => {
    setTotals(st, d.summaries, d.supports, d.votes);
    if (d.floor) st.floor = d.floor;
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

/** Visible comments on a proposal (null: on the meeting), newest first. */
export function commentsOn(st, proposalId) {
  return st.comments.filter((c) => (c.proposal_id ?? null) === (proposalId ?? null)).reverse();
}

/** Ranking from live tallies: dots by total, scores by mean then count; ties keep agenda order. */
export function ranking(st, siteId = null) {
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
  const cmp = (a, b) => {
    const sa = score(a), sb = score(b);
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i] - sb[i];
    return order.indexOf(a) - order.indexOf(b);
  };
  return [...order].sort(cmp);
}

/** The number a tally shows: dots total, or mean score. */
export function tallyValue(mode, part) {
  if (!part) return 0;
  return mode === "dots" ? part.total || 0 : part.mean || 0;
}
