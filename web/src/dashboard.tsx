// Usage dashboards from the usage API: charts (cost by model, tokens, latency, TTFT), budgets, tables, A/B.

import { useEffect, useMemo, useState } from "preact/hooks";
import type { BudgetStatus as Budget } from "../../protocol/api";
import type { UsageRow } from "../../protocol/usage";
import { api } from "./api";
import { daysOf, PALETTE, type Series, TimeChart } from "./charts";

export type { BudgetStatus as Budget } from "../../protocol/api";
export type { UsageRow };

const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(2)}`;
/** Axis ticks: short enough for the axis (one significant digit below a cent). */
const usdTick = (n: number) => (n === 0 ? "$0" : n < 0.01 ? `$${Number(n.toPrecision(1))}` : `$${n.toFixed(2)}`);
const ms = (n: number | null) => (n === null ? "–" : `${Math.round(n)} ms`);
const msTick = (n: number) => `${Math.round(n)} ms`;
const tokensTick = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;

/** The charts: cost per day by model, tokens per day, latency and TTFT percentiles per day. */
function Charts({ byDayModel, byDay }: { byDayModel: UsageRow[]; byDay: UsageRow[] }) {
  const cost = useMemo(() => {
    const days = daysOf(byDayModel);
    const models = [...new Set(byDayModel.map((r) => r.key.split("|")[1] ?? ""))];
    const series: Series[] = models.map((model, i) => ({
      label: model,
      color: PALETTE[i % PALETTE.length] ?? "#2563eb",
      values: days.map((day) => byDayModel.find((r) => r.key === `${day}|${model}`)?.costUsd ?? null),
    }));
    return { days, series };
  }, [byDayModel]);
  const daily = useMemo(() => {
    const days = daysOf(byDay);
    const row = (day: string) => byDay.find((r) => r.key === day);
    const pick = (label: string, color: string, f: (r: UsageRow) => number | null): Series => ({
      label,
      color,
      values: days.map((d) => {
        const r = row(d);
        return r ? f(r) : null;
      }),
    });
    return {
      days,
      tokens: [
        pick("input", "#2563eb", (r) => r.inputTokens),
        pick("output", "#d97706", (r) => r.outputTokens),
        pick("cached", "#059669", (r) => r.cacheReadTokens),
      ],
      latency: [
        pick("p50", "#2563eb", (r) => r.latencyMs.p50),
        pick("p95", "#d97706", (r) => r.latencyMs.p95),
        pick("p99", "#dc2626", (r) => r.latencyMs.p99),
      ],
      ttft: [
        pick("p50", "#2563eb", (r) => r.ttftMs.p50),
        pick("p95", "#d97706", (r) => r.ttftMs.p95),
        pick("p99", "#dc2626", (r) => r.ttftMs.p99),
      ],
    };
  }, [byDay]);
  return (
    <div class="charts">
      <TimeChart title="Cost per day by model (USD)" days={cost.days} series={cost.series} unit={usdTick} />
      <TimeChart title="Tokens per day" days={daily.days} series={daily.tokens} unit={tokensTick} />
      <TimeChart title="Latency per day (p50 / p95 / p99)" days={daily.days} series={daily.latency} unit={msTick} />
      <TimeChart
        title="Time to first token per day (p50 / p95 / p99)"
        days={daily.days}
        series={daily.ttft}
        unit={msTick}
      />
    </div>
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
  const [byDay, setByDay] = useState<UsageRow[]>([]);
  useEffect(() => {
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=day`).then((r) => setByDay(r.rows));
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=day_model`).then((r) => setByDayModel(r.rows));
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=model`).then((r) => setByModel(r.rows));
    void api<{ rows: UsageRow[] }>(`${base}?groupBy=variant`).then((r) => setByVariant(r.rows));
  }, [base]);
  return (
    <section class="dashboard" aria-label="Usage">
      <h2>Usage</h2>
      <Charts byDayModel={byDayModel} byDay={byDay} />
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
