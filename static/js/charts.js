// Bars drawn by the page as inline SVG (no chart library). Labels and values
// are HTML text next to the bar, so they stay readable and translatable.

import { h, s } from "./dom.js";

/** One horizontal bar, value out of max, filling its container's width. */
export function bar(value, max, cls = "") {
  const width = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return s("svg", { class: `bar ${cls}`.trim(), viewBox: "0 0 100 10", preserveAspectRatio: "none",
                    "aria-hidden": "true", focusable: "false" },
    s("rect", { class: "bar-bg", x: 0, y: 0, width: 100, height: 10 }),
    s("rect", { class: "bar-fill", x: 0, y: 0, width: width.toFixed(2), height: 10 }));
}

/**
 * Rows of [label, value, text, cls]: label, bar and the value as text.
 * `max` defaults to the largest value.
 */
export function barChart(rows, { max, caption, cls = "" } = {}) {
  const top = max ?? Math.max(0, ...rows.map((r) => r[1]));
  return h("figure", { class: `chart ${cls}`.trim() },
    caption ? h("figcaption", {}, caption) : null,
    h("div", { class: "chart-rows" }, rows.map(([label, value, text, rowCls]) =>
      h("div", { class: `chart-row ${rowCls || ""}`.trim() },
        h("span", { class: "chart-label" }, label),
        bar(value, top, rowCls),
        h("span", { class: "chart-value" }, text ?? String(value))))));
}

/** One bar split into parts ([value, cls] each, e.g. one per site), out of max. */
export function stackedBar(parts, max) {
  let x = 0;
  const rects = parts.map(([value, cls]) => {
    const width = max > 0 ? Math.max(0, Math.min(100 - x, (value / max) * 100)) : 0;
    const rect = s("rect", { class: `bar-fill ${cls}`, x: x.toFixed(2), y: 0, width: width.toFixed(2), height: 10 });
    x += width;
    return rect;
  });
  return s("svg", { class: "bar stacked", viewBox: "0 0 100 10", preserveAspectRatio: "none",
                    "aria-hidden": "true", focusable: "false" },
    s("rect", { class: "bar-bg", x: 0, y: 0, width: 100, height: 10 }), rects);
}

/** A colour key: [label, cls] pairs. */
export function legend(items) {
  return h("ul", { class: "legend" }, items.map(([label, cls]) =>
    h("li", {}, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), label)));
}
