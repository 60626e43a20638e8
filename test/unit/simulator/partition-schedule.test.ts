import { describe, expect, it } from "vitest";
import {
  PartitionScheduleError,
  parsePartitionSchedule,
} from "../../../src/simulator/partition-schedule.ts";

function problems(text: string, registerIds?: readonly string[]): readonly string[] {
  try {
    parsePartitionSchedule(text, {
      source: "schedule.json",
      ...(registerIds ? { registerIds } : {}),
    });
  } catch (error) {
    expect(error).toBeInstanceOf(PartitionScheduleError);
    expect((error as PartitionScheduleError).code).toBe("POS_SIM_SCHEDULE");
    expect((error as Error).message).toContain("schedule.json");
    return (error as PartitionScheduleError).issues;
  }
  throw new Error("expected the schedule to be refused");
}

describe("partition schedule", () => {
  it("accepts every action and returns the steps sorted by time, stable for equal times", () => {
    const steps = parsePartitionSchedule(
      JSON.stringify([
        { at: 900, action: "restart-server" },
        { at: 100, action: "cut", register: "R1" },
        { at: 500, action: "kill-server" },
        { at: 100, action: "delay", register: "R2", ms: 50 },
        { at: 200, action: "drop", register: "R2", probability: 0.25 },
        { at: 300, action: "heal", register: "R1" },
        { at: 300, action: "cut-all" },
        { at: 400, action: "heal-all" },
        { at: 600, action: "kill-register", register: "R2" },
        { at: 700, action: "restart-register", register: "R2" },
      ]),
      { registerIds: ["R1", "R2"] },
    );
    expect(steps.map((step) => `${step.at} ${step.action}`)).toEqual([
      "100 cut",
      "100 delay",
      "200 drop",
      "300 heal",
      "300 cut-all",
      "400 heal-all",
      "500 kill-server",
      "600 kill-register",
      "700 restart-register",
      "900 restart-server",
    ]);
  });

  it("refuses what is not JSON, or not a list", () => {
    expect(problems("{ nope")[0]).toMatch(/not valid JSON/);
    expect(problems('{"steps": []}')).toHaveLength(1);
  });

  it("names the step and field of every problem", () => {
    const issues = problems(
      JSON.stringify([
        { at: 0, action: "cut" },
        { at: -5, action: "heal", register: "R1" },
        { at: 10, action: "explode" },
        { at: 10, action: "drop", register: "R1", probability: 2 },
        { at: 10, action: "delay", register: "R1" },
        { at: 10, action: "kill-server", register: "R1" },
      ]),
    );
    expect(issues).toHaveLength(6);
    expect(issues[0]).toMatch(/^step 1 \(action "cut"\), field "register"/);
    expect(issues[1]).toMatch(/^step 2 \(action "heal"\), field "at"/);
    expect(issues[2]).toMatch(/^step 3 \(action "explode"\): action must be one of cut, heal/);
    expect(issues[3]).toMatch(/^step 4 \(action "drop"\), field "probability"/);
    expect(issues[4]).toMatch(/^step 5 \(action "delay"\), field "ms"/);
    expect(issues[5]).toMatch(/^step 6 \(action "kill-server"\)/);
  });

  it("refuses registers the simulation does not run", () => {
    const issues = problems(JSON.stringify([{ at: 0, action: "cut", register: "R3" }]), [
      "R1",
      "R2",
    ]);
    expect(issues).toEqual([
      'step 1 (action "cut"): register R3 is not simulated; use one of R1, R2',
    ]);
  });
});
