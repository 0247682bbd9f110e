// The fair harness: both systems run each scenario alternately (A B, then B A, …) after a discarded
// warm-up, and each round's ratio comes from back-to-back measurements on the same machine state.

import { loadavg } from "node:os";
import type { FakeLlm } from "../devtools/demo-model/server.ts";
import type { Figure, Scenario } from "./compare.ts";
import type { BenchSystem } from "./drivers.ts";
import { median } from "./stats.ts";

/** One figure of one scenario over all rounds. */
export interface FairRow {
  scenario: string;
  unit: string;
  higherIsBetter: boolean;
  /** Per round: the median of each system's samples, their ratio (ours ÷ peer) and the 1-minute load. */
  rounds: { ours: number; peer: number; ratio: number; load: number; oursFirst: boolean }[];
  notes: { ours: string[]; peer: string[] };
  /** Why a system cannot do what the row measures (its rounds then have no ratio). */
  unsupported: { ours?: string; peer?: string };
}

export interface FairSummary {
  ours: number;
  peer: number;
  ratio: number;
  spread: [number, number];
  /** Every round's ratio on edgeclaw's side. */
  lead: boolean;
  /** The median ratio on edgeclaw's side. */
  ahead: boolean;
  /** Only edgeclaw can do it (the peer's reason in `row.unsupported.peer`). */
  peerCannot: boolean;
  load: [number, number];
}

const ourSide = (row: FairRow, ratio: number) => (row.higherIsBetter ? ratio > 1 : ratio < 1);

export function summarise(row: FairRow): FairSummary {
  const ratios = row.rounds.map((r) => r.ratio).filter(Number.isFinite);
  const loads = row.rounds.map((r) => r.load);
  const ratio = median(ratios);
  const peerCannot = row.unsupported.peer !== undefined && row.unsupported.ours === undefined;
  return {
    ours: median(row.rounds.map((r) => r.ours)),
    peer: median(row.rounds.map((r) => r.peer)),
    ratio,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    lead: peerCannot || (ratios.length === row.rounds.length && ratios.every((r) => ourSide(row, r))),
    ahead: peerCannot || ourSide(row, ratio),
    peerCannot,
    load: [Math.min(...loads), Math.max(...loads)],
  };
}

/**
 * Runs `scenario` once on each system as a warm-up (discarded), then `rounds` times alternating which
 * system goes first, and pairs each round's figures by position.
 */
export async function alternate(
  scenario: Scenario,
  systems: { ours: BenchSystem; peer: BenchSystem },
  llm: FakeLlm,
  rounds: number,
  log: (line: string) => void,
): Promise<FairRow[]> {
  await scenario.run(systems.ours, llm);
  await scenario.run(systems.peer, llm);
  const rows: FairRow[] = [];
  for (let round = 0; round < rounds; round++) {
    // The warm-up ran edgeclaw first, so round 1 starts with the peer, and the order flips each round.
    const oursFirst = round % 2 === 1;
    const load = loadavg()[0] ?? 0;
    let ours: Figure[];
    let peer: Figure[];
    if (oursFirst) {
      ours = await scenario.run(systems.ours, llm);
      peer = await scenario.run(systems.peer, llm);
    } else {
      peer = await scenario.run(systems.peer, llm);
      ours = await scenario.run(systems.ours, llm);
    }
    ours.forEach((figure, i) => {
      const theirs = peer[i];
      if (!theirs || theirs.scenario !== figure.scenario)
        throw new Error(`scenario ${scenario.name}: the systems returned different figures`);
      const row = rows[i] ?? {
        scenario: figure.scenario,
        unit: figure.unit,
        higherIsBetter: figure.higherIsBetter,
        rounds: [],
        notes: { ours: [], peer: [] },
        unsupported: {},
      };
      rows[i] = row;
      if (figure.unsupported) row.unsupported.ours = figure.unsupported;
      if (theirs.unsupported) row.unsupported.peer = theirs.unsupported;
      // A side that cannot do it has no figure (NaN), so the round has no ratio.
      const a = figure.unsupported ? Number.NaN : median(figure.samples);
      const b = theirs.unsupported ? Number.NaN : median(theirs.samples);
      row.rounds.push({ ours: a, peer: b, ratio: a / b, load, oursFirst });
      if (figure.note) row.notes.ours.push(figure.note);
      if (theirs.note) row.notes.peer.push(theirs.note);
    });
    log(
      `  ${scenario.name}, round ${round + 1}/${rounds} (${oursFirst ? "edgeclaw" : "peer"} first, load ${load.toFixed(2)})`,
    );
  }
  return rows;
}
