// Usage charts drawn with uPlot (axes, legend, hover values), loaded on first use as a separate chunk.

import { useEffect, useRef, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { UsageRow } from "../../protocol/usage";

/** A series: label, colour and one value per day (null where there is none). */
export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
}

export const PALETTE = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#be185d"];

/** Loads uPlot and its stylesheet once, on the first chart drawn. */
let loading: Promise<typeof uPlot> | null = null;
function loadUPlot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([m]) => m.default);
  return loading;
}

/** Epoch seconds of a YYYY-MM-DD day (UTC), uPlot's time axis unit. */
export const daySeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/** A day of padding each side of the x axis, so one day of data is a readable point, not years. */
const PAD_S = 24 * 60 * 60;

/** A tooltip that follows the pointer: the day and every series' value there. */
function tooltip(unit: (v: number) => string): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement("div");
        tip.className = "u-tooltip";
        tip.setAttribute("role", "tooltip");
        tip.hidden = true;
        u.over.appendChild(tip);
      },
      setCursor: (u) => {
        const { idx, left, top } = u.cursor;
        if (!tip) return;
        if (idx === null || idx === undefined || left === undefined || top === undefined || left < 0) {
          tip.hidden = true;
          return;
        }
        const day = new Date((u.data[0]?.[idx] ?? 0) * 1000).toISOString().slice(0, 10);
        const lines = u.series.slice(1).map((s, i) => {
          const v = u.data[i + 1]?.[idx];
          return `${String(s.label)}: ${v === null || v === undefined ? "–" : unit(v)}`;
        });
        tip.textContent = [day, ...lines].join("\n");
        tip.hidden = false;
        tip.style.left = `${Math.min(left + 12, u.over.clientWidth - tip.offsetWidth)}px`;
        tip.style.top = `${Math.max(0, top - tip.offsetHeight - 8)}px`;
      },
    },
  };
}

/** One time-series chart: days on the x axis, `unit` on the y axis, a legend with values under the pointer. */
export function TimeChart({
  title,
  days,
  series,
  unit,
}: {
  title: string;
  days: string[];
  series: Series[];
  unit: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || days.length === 0) return;
    let chart: uPlot | null = null;
    let gone = false;
    const resize = new ResizeObserver(() => chart?.setSize({ width: el.clientWidth, height: 220 }));
    void loadUPlot().then(
      (UPlot) => {
        if (gone) return;
        const xs = days.map(daySeconds);
        const first = xs[0] ?? 0;
        const last = xs.at(-1) ?? first;
        const style = getComputedStyle(document.documentElement);
        const ink = style.getPropertyValue("--muted").trim() || "#57606a";
        const grid = style.getPropertyValue("--border").trim() || "#d0d7de";
        const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
        chart = new UPlot(
          {
            width: el.clientWidth,
            height: 220,
            scales: { x: { time: true, auto: false, range: [first - PAD_S, last + PAD_S] } },
            axes: [axis, { ...axis, size: 80, values: (_u, ticks) => ticks.map(unit) }],
            plugins: [tooltip(unit)],
            series: [
              { label: "day" },
              ...series.map((s) => ({
                label: s.label,
                stroke: s.color,
                width: 2,
                points: { show: true, size: 6 },
                spanGaps: true,
                value: (_u: uPlot, v: number | null) => (v === null ? "–" : unit(v)),
              })),
            ],
          },
          [xs, ...series.map((s) => s.values)],
          el,
        );
        resize.observe(el);
      },
      (error: unknown) => setFailed(String(error)),
    );
    return () => {
      gone = true;
      resize.disconnect();
      chart?.destroy();
    };
  }, [days, series, unit]);
  return (
    <figure class="uchart" aria-label={title}>
      <figcaption>{title}</figcaption>
      {days.length === 0 ? <p class="meta">No data yet.</p> : null}
      {failed ? <p role="alert">Chart unavailable: {failed}</p> : null}
      <div ref={box} class="uchart-box" />
    </figure>
  );
}

/** Days present in the rows (keys "YYYY-MM-DD" or "YYYY-MM-DD|…"), sorted. */
export function daysOf(rows: UsageRow[]): string[] {
  return [...new Set(rows.map((r) => r.key.split("|")[0] ?? ""))].filter(Boolean).sort();
}
