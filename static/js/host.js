// The site host's controls on the phone page (/h/<token>): check people in
// (also those without a phone), raise a hand for them, revoke access.
// Hiding comments is done on the comment list itself. Loaded only for hosts.

import { field, h, refill, select } from "./dom.js";
import { L, t } from "./i18n.js";

export function createHostPanel({ live, send }) {
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const category = select([["", t("choose_category")], ...Object.entries(L("categories"))],
    { name: "category", required: true });
  const organisation = h("input", { name: "organisation", maxlength: 200 });
  const gender = select([["", t("gender_none")], ...Object.entries(L("genders"))], { name: "gender" });
  const fields = h("fieldset", { class: "plain stack" },
    field(t("attendee_name"), name), field(t("category"), category),
    field(t("organisation_optional"), organisation), field(t("gender_optional"), gender),
    h("button", { type: "submit" }, t("check_in")));
  const notice = h("p", { class: "message error form-closed", hidden: true }, t("forms_closed"));
  const form = h("form", { class: "stack" }, notice, fields);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!name.value.trim() || !category.value) {
      (name.value.trim() ? category : name).focus();
      return;
    }
    send("attendance.add", { name: name.value, category: category.value,
                             organisation: organisation.value || null, gender: gender.value || null })
      .then((ack) => {
        if (!ack) return;
        form.reset();
        name.focus();
      });
  });

  const filter = h("input", { type: "search", name: "filter" });
  const count = h("p", { class: "muted small" });
  const list = h("ul", { class: "people" });
  filter.addEventListener("input", () => render(live.state));

  const heading = h("h2", { id: "host-h" }, t("host_tools"));
  const el = h("section", { id: "host", class: "card host", "aria-labelledby": heading.id },
    heading,
    h("h3", {}, t("check_in_title")), h("p", { class: "muted small" }, t("check_in_hint")), form,
    h("h3", {}, t("attendees")), field(t("search_people"), filter), count, list);

  function render(st) {
    if (!st || !st.attendees) return;
    // A closed meeting takes no check-ins, raised hands or revocations.
    const closed = st.meeting.status === "closed";
    fields.disabled = closed;
    notice.hidden = !closed;
    const q = filter.value.trim().toLowerCase();
    const waiting = new Set((st.floor ? st.floor.queue : []).map((r) => r.participant_id));
    const people = st.attendees.filter((p) => !q || `${p.name} ${p.organisation}`.toLowerCase().includes(q));
    count.textContent = t("attendees_n", { n: st.attendees.filter((p) => !p.revoked).length });
    refill(list, people.map((p) => {
      const buttons = [];
      if (!p.revoked) {
        const raised = waiting.has(p.id);
        buttons.push(h("button", {
          type: "button", class: "small secondary", "data-key": `hand-${p.id}`, disabled: closed,
          "aria-label": t(raised ? "lower_hand_for" : "raise_hand_for", { name: p.name }),
          on: { click: () => send(raised ? "floor.withdraw" : "floor.request", { participant_id: p.id }) },
        }, t(raised ? "lower_hand" : "raise_hand")));
        if (p.role === "participant") {
          buttons.push(h("button", {
            type: "button", class: "small danger", "data-key": `revoke-${p.id}`, disabled: closed,
            "aria-label": t("revoke_who", { name: p.name }),
            on: { click: () => { if (confirm(t("revoke_confirm", { name: p.name }))) send("participant.revoke", { participant_id: p.id }); } },
          }, t("revoke")));
        }
      }
      return h("li", { class: p.revoked ? "revoked" : "" },
        h("span", { class: "person" }, h("strong", {}, p.name), " ",
          h("span", { class: "muted" }, [L("categories", p.category), p.organisation].filter(Boolean).join(" · "))),
        p.has_phone ? null : h("span", { class: "tag" }, t("no_phone")),
        p.role !== "participant" ? h("span", { class: "tag" }, L("roles", p.role)) : null,
        p.revoked ? h("span", { class: "tag warn" }, t("revoked")) : null,
        h("span", { class: "row" }, buttons));
    }));
  }

  return { el, render };
}
