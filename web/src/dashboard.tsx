// Usage dashboards drawn from the usage API: cost per day by model, tokens, latency and TTFT, cache, budgets, A/B.

import { useEffect, useState } from "preact/hooks";
import type { UsageRow } from "../../protocol/usage";
import { api } from "./api";

export type { UsageRow };
export interface Budget {
  limits: { dailyMicros: number | null; monthlyMicros: number | null };
  spentTodayMicros: number;
  spentThisMonthMicros: number;
}

const PALETTE = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#be185d"];
const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(2)}`;
const ms = (n: number | null) => (n === null ? "–" : `${Math.round(n)} ms`);

/** Cost per day, stacked by model, as an SVG bar chart. */
function CostChart({ rows }: { rows: UsageRow[] }) {
  const days = [...new Set(rows.map((r) => r.key.split("|")[0] ?? ""))].sort();
  const models = [...new Set(rows.map((r) => r.key.split("|")[1] ?? ""))];
  const cost = (day: string, model: string) => rows.find((r) => r.key === `${day}|${model}`)?.costUsd ?? 0;
  const max = Math.max(1e-9, ...days.map((d) => models.reduce((s, m) => s + cost(d, m), 0)));
  const width = Math.max(320, days.length * 36);
  return (
    <figure>
      <svg role="img" aria-label="Cost per day stacked by model" viewBox={`0 0 ${width} 180`} class="chart">
        {days.map((day, i) => {
          let y = 160;
          return (
            <g key={day}>
              {models.map((model, m) => {
                const h = (cost(day, model) / max) * 150;
                y -= h;
                return (
                  <rect key={model} x={i * 36 + 8} y={y} width={24} height={h} fill={PALETTE[m % PALETTE.length]} />
                );
              })}
              <text x={i * 36 + 20} y={175} text-anchor="middle" font-size="9">
                {day.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        Cost per day (max {usd(max)}):{" "}
        {models.map((m, i) => (
          <span key={m} class="legend">
            <i style={{ background: PALETTE[i % PALETTE.length] }} /> {m}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function Gauge({ label, spent, limit }: { label: string; spent: number; limit: number | null }) {
  if (limit === null)
    return (
      <p>
        {label}: {usd(spent / 1e6)} (no limit)
      </p>
    );
  const share = Math.min(1, spent / Math.max(1, limit));
  return (
    <div class="gauge">
      <label>
        {label}: {usd(spent / 1e6)} of {usd(limit / 1e6)}
        <progress value={share} max={1} />
      </label>
    </div>
  );
}

function Table({ rows, title }: { rows: UsageRow[]; title: string }) {
  return (
    <table>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">key</th>
          <th scope="col">calls</th>
          <th scope="col">errors</th>
          <th scope="col">cost</th>
          <th scope="col">tokens in / out / cached</th>
          <th scope="col">latency p50 / p95 / p99</th>
          <th scope="col">TTFT p50 / p95 / p99</th>
          <th scope="col">cache hits</th>
          <th scope="col">up / down</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.key}</th>
            <td>{r.calls}</td>
            <td>{(r.errorRate * 100).toFixed(1)}%</td>
            <td>{usd(r.costUsd)}</td>
            <td>{`${r.inputTokens} / ${r.outputTokens} / ${r.cacheReadTokens}`}</td>
            <td>{`${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p95)} / ${ms(r.latencyMs.p99)}`}</td>
            <td>{`${ms(r.ttftMs.p50)} / ${ms(r.ttftMs.p95)} / ${ms(r.ttftMs.p99)}`}</td>
            <td>{(r.cacheHitRate * 100).toFixed(0)}%</td>
            <td>{`${r.feedbackUp} / ${r.feedbackDown}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `base` is /api/usage (mine) or /admin/api/usage (everyone). */
export function Dashboard({ base, budgets }: { base: string; budgets: Budget[] }) {
  const [byDayModel, setByDayModel] = useState<UsageRow[]>([]);
  const [byModel, setByModel] = useState<UsageRow[]>([]);
  const [byVariant, setByVariant] = useState<UsageRow[]>([]);
  useEffect(() => {
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=day_model`).then((r) => setByDayModel(r.rows));
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=model`).then((r) => setByModel(r.rows));
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=variant`).then((r) => setByVariant(r.rows));
  }, [base]);
  return (
    <section class="dashboard" aria-label="Usage">
      <h2>Usage</h2>
      <CostChart rows={byDayModel} />
      {budgets.map((b, i) => (
        <div key={i}>
          <Gauge label="Today" spent={b.spentTodayMicros} limit={b.limits.dailyMicros} />
          <Gauge label="This month" spent={b.spentThisMonthMicros} limit={b.limits.monthlyMicros} />
        </div>
      ))}
      <Table rows={byModel} title="By model: tokens, latency, TTFT, cache" />
      <Table rows={byVariant} title="A/B variants" />
      <p>
        <a href={`${base}?groupBy=day&format=csv`}>Download CSV</a>
      </p>
    </section>
  );
}
