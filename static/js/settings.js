// The meeting's settings after creation (meeting.update): what the minutes
// print on their first and last page: place, the city on the signature
// line, and the signatories with position, name and NIP.

import { field, h } from "./dom.js";
import { t } from "./i18n.js";
import { note } from "./widgets.js";

const TEXT = [["title", "field_meeting_title", 300], ["number", "field_number", 120],
              ["place", "field_place", 500], ["note_taker", "field_note_taker", 200]];

export function settingsForm(st, send) {
  const m = st.meeting;
  const controls = {};
  const input = (name, attrs) => (controls[name] = h("input", { name, value: m[name] || "", ...attrs }));
  const date = input("date", { type: "date", value: m.date || "" });
  const start = input("start_time", { type: "time", value: m.start_time || "" });
  const end = input("end_time", { type: "time", value: m.end_time || "" });
  const city = input("signature_city", { maxlength: 120 });
  const purpose = controls.purpose = h("textarea", { name: "purpose", rows: 3, maxlength: 5000 }, m.purpose || "");
  const people = st.sites.map((s) => {
    const c = {
      chair_title: h("input", { name: `chair_title_${s.id}`, maxlength: 200, value: s.chair_title || "" }),
      chair_name: h("input", { name: `chair_name_${s.id}`, maxlength: 200, value: s.chair_name || "" }),
      chair_nip: h("input", { name: `chair_nip_${s.id}`, maxlength: 40, inputmode: "numeric", value: s.chair_nip || "" }),
    };
    return { site: s, c };
  });
  const rep = {
    community_rep_title: input("community_rep_title", { maxlength: 200 }),
    community_rep: input("community_rep", { maxlength: 200 }),
    community_rep_nip: input("community_rep_nip", { maxlength: 40, inputmode: "numeric" }),
  };
  const signatory = (legend, [position, name, nip]) => h("fieldset", {}, h("legend", {}, legend),
    field(t("field_position"), position), field(t("field_name"), name), field(t("field_nip"), nip));
  const saved = note();
  const form = h("form", { class: "stack settings-form" },
    h("h3", { id: "settings-h" }, t("meeting_settings")),
    h("p", { class: "muted small" }, t("settings_hint")),
    TEXT.map(([name, label, max]) => field(t(label), input(name, { maxlength: max, required: name === "title" }))),
    h("div", { class: "grid3" }, field(t("field_date"), date), field(t("field_start_time"), start),
      field(t("field_end_time"), end)),
    field(t("field_signature_city"), city, t("signature_city_hint")),
    field(t("field_purpose"), purpose),
    people.map(({ site, c }) => signatory(t("chair_of", { site: site.name }), [c.chair_title, c.chair_name, c.chair_nip])),
    signatory(t("community_rep"), [rep.community_rep_title, rep.community_rep, rep.community_rep_nip]),
    h("div", {}, h("button", { type: "submit" }, t("save_settings")), saved));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const fields = {};
    for (const name of [...TEXT.map(([n]) => n), "signature_city", "purpose", "start_time", "end_time",
                        ...Object.keys(rep)]) {
      fields[name] = controls[name].value.trim();
    }
    if (!fields.title) { saved.show(t("need_title"), "error"); controls.title.focus(); return; }
    fields.date = date.value || null;
    for (const name of ["start_time", "end_time"]) fields[name] = fields[name] ? fields[name].slice(0, 5) : null;
    fields.sites = people.map(({ site, c }) => ({
      site_id: site.id, chair_title: c.chair_title.value.trim(), chair_name: c.chair_name.value.trim(),
      chair_nip: c.chair_nip.value.trim() }));
    send(saved, "meeting.update", fields).then((ack) => ack && saved.show(t("settings_saved")));
  });
  return form;
}
