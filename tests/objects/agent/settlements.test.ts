// The settlement queue: in order, off the answer's path, and a turn's end riding with its last settlement.

import { describe, expect, it } from "vitest";
import { Settlements } from "../../../objects/session/agent/settlements";

describe("settlements", () => {
  it("ends a turn with its last settlement when that has not started, in one call", async () => {
    const settlements = new Settlements();
    const calls: string[] = [];
    settlements.add("t1", async (endsTurn) => void calls.push(`settle t1 endsTurn=${endsTurn}`));
    settlements.endTurn("t1", async () => void calls.push("end t1 alone"));
    await settlements.idle();
    expect(calls).toEqual(["settle t1 endsTurn=true"]);
  });

  it("ends a turn alone, after the queue, when its last settlement already went or belongs to another turn", async () => {
    const settlements = new Settlements();
    const calls: string[] = [];
    settlements.add("t1", async (endsTurn) => void calls.push(`settle t1 endsTurn=${endsTurn}`));
    await settlements.idle();
    settlements.endTurn("t1", async () => void calls.push("end t1 alone"));
    settlements.add("t2", async (endsTurn) => void calls.push(`settle t2 endsTurn=${endsTurn}`));
    settlements.endTurn("t3", async () => void calls.push("end t3 alone"));
    await settlements.idle();
    expect(calls).toEqual(["settle t1 endsTurn=false", "end t1 alone", "settle t2 endsTurn=false", "end t3 alone"]);
  });

  it("keeps going after a failed settlement", async () => {
    const settlements = new Settlements();
    const calls: string[] = [];
    settlements.add("t1", async () => {
      throw new Error("usage object unreachable");
    });
    settlements.add("t2", async (endsTurn) => void calls.push(`settle t2 endsTurn=${endsTurn}`));
    settlements.endTurn("t2", async () => void calls.push("end t2 alone"));
    await settlements.idle();
    expect(calls).toEqual(["settle t2 endsTurn=true"]);
  });
});
