// Tiny DOM helpers. Text is always inserted as text (textContent / text
// nodes); nothing here ever parses a string as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    } else if (name === "text") {
      el.textContent = String(value);
    } else if (name === "value" && "value" in el && el.namespaceURI !== SVG_NS) {
      el.value = String(value);
    } else if (name === "checked" || name === "selected") {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name === "className" ? "class" : name, value === true ? "" : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h("button", {class: "x", on: {click}}, "label", child, ...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  return append(el, children);
}

/** The same for SVG elements (charts). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  return append(el, children);
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Text for screen readers only, e.g. which proposal a "+" button is for. */
export const sr = (text) => h("span", { class: "sr-only" }, text);

export const $ = (sel, root = document) => root.querySelector(sel);

let ids = 0;
/** A unique id for label/for pairs. */
export const uid = (prefix = "f") => `${prefix}-${++ids}`;

/** A labelled control: <div class="field"><label for>text</label>control</div>. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const parts = [h("label", { for: control.id }, label), control];
  if (hint) {
    const hintEl = h("small", { id: uid("hint"), class: "hint" }, hint);
    control.setAttribute("aria-describedby", hintEl.id);
    parts.push(hintEl);
  }
  return h("div", { class: "field" }, parts);
}

/** <select> from [value, label] pairs. */
export function select(options, attrs = {}, current) {
  const el = h("select", attrs,
    options.map(([value, label]) => h("option", { value }, label)));
  el.value = String(current ?? "");
  if (el.selectedIndex < 0 && el.options.length) el.selectedIndex = 0;
  return el;
}

/** Run fn at most once per animation frame, with the latest call's arguments. */
export function throttleFrame(fn) {
  let queued = false;
  return (...args) => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(...args); });
  };
}

/** Keep what the user typed in a field across reloads (drafts). */
export function keepDraft(control, key) {
  try {
    const saved = localStorage.getItem(key);
    if (saved && !control.value) control.value = saved;
  } catch (_) { /* storage may be unavailable */ }
  control.addEventListener("input", () => {
    try {
      if (control.value) localStorage.setItem(key, control.value);
      else localStorage.removeItem(key);
    } catch (_) { /* ignore */ }
  });
  return () => { try { localStorage.removeItem(key); } catch (_) { /* ignore */ } };
}

/**
 * fill() for regions redrawn from state: nothing is replaced when the new
 * content is the same (so a click that is under way is not lost, and screen
 * readers are not disturbed), and keyboard focus stays on the control with
 * the same data-key. Only for regions without form fields (values are not
 * part of the comparison).
 */
export function refill(el, ...children) {
  const next = append(el.cloneNode(false), children);
  if (next.innerHTML === el.innerHTML) return el; // a comparison of serialised DOM, nothing is parsed
  const active = document.activeElement;
  const focusKey = active && active !== el && el.contains(active) ? active.dataset.key : null;
  el.replaceChildren(...next.childNodes);
  if (focusKey) {
    const again = el.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
  return el;
}
