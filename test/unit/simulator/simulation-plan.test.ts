import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { partitionScheduleSchema } from "../../../src/simulator/partition-schedule.ts";
import { randomPartitionSchedule } from "../../../src/simulator/random-schedule.ts";
import { seededRandom } from "../../../src/simulator/seeded-random.ts";
import { planSimulation } from "../../../src/simulator/simulation-plan.ts";

const runs = Number(process.env.POS_PROPERTY_RUNS ?? 100);
const products = Array.from({ length: 50 }, (_, i) => ({
  id: `P${i}`,
  barcode: `400000000${String(i).padStart(4, "0")}`,
  price: 100 + i * 37,
}));
const registerIds = ["R1", "R2", "R3"];

describe("seeded random", () => {
  it("gives the same numbers for the same seed and label, different ones otherwise", () => {
    const draw = (seed: number, label: string) => {
      const random = seededRandom(seed, label);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw(42, "a")).toEqual(draw(42, "a"));
    expect(draw(42, "a")).not.toEqual(draw(43, "a"));
    expect(draw(42, "a")).not.toEqual(draw(42, "b"));
    for (const value of draw(7, "")) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe("random partition schedule", () => {
  it("is the same for the same seed, valid, within the duration, and ends every outage it starts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1_000, max: 120_000 }),
        fc.integer({ min: 1, max: 3 }),
        (seed, durationMs, count) => {
          const ids = registerIds.slice(0, count);
          const schedule = randomPartitionSchedule({ seed, registerIds: ids, durationMs });
          expect(randomPartitionSchedule({ seed, registerIds: ids, durationMs })).toEqual(schedule);
          expect(partitionScheduleSchema.parse(schedule)).toEqual(schedule);
          const times = schedule.map((step) => step.at);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(Math.max(0, ...times)).toBeLessThanOrEqual(durationMs);
          const count_ = (action: string, register?: string) =>
            schedule.filter(
              (step) =>
                step.action === action &&
                (!register || ("register" in step && step.register === register)),
            ).length;
          for (const id of ids) {
            expect(count_("cut", id)).toBe(count_("heal", id));
            expect(count_("kill-register", id)).toBe(count_("restart-register", id));
          }
          expect(count_("kill-server")).toBe(count_("restart-server"));
          const last = new Map<string, number>();
          for (const step of schedule) {
            if (step.action === "drop") last.set(`drop ${step.register}`, step.probability);
            if (step.action === "delay") last.set(`delay ${step.register}`, step.ms);
          }
          for (const value of last.values()) expect(value).toBe(0);
        },
      ),
      { numRuns: runs },
    );
  });

  it("differs between seeds", () => {
    const schedules = new Set(
      Array.from({ length: 10 }, (_, seed) =>
        JSON.stringify(randomPartitionSchedule({ seed, registerIds, durationMs: 10_000 })),
      ),
    );
    expect(schedules.size).toBeGreaterThan(5);
  });
});

describe("simulation plan", () => {
  const plan = (seed: number) =>
    planSimulation({
      seed,
      registerIds,
      durationMs: 10_000,
      salesCount: 30,
      priceChangeCount: 2,
      products,
    });

  it("is the same for the same seed: schedule, sales and price changes", () => {
    expect(plan(11)).toEqual(plan(11));
    expect(plan(11).sales).not.toEqual(plan(12).sales);
  });

  it("plans 1 to 6 known barcodes per sale, on simulated registers, in time order within the duration", () => {
    const { sales, priceChanges } = plan(5);
    expect(sales).toHaveLength(30);
    const barcodes = new Set(products.map((p) => p.barcode));
    for (const sale of sales) {
      expect(sale.barcodes.length).toBeGreaterThanOrEqual(1);
      expect(sale.barcodes.length).toBeLessThanOrEqual(6);
      for (const barcode of sale.barcodes) expect(barcodes.has(barcode)).toBe(true);
      expect(registerIds).toContain(sale.registerId);
      expect(sale.startAt).toBeGreaterThanOrEqual(0);
      expect(sale.startAt).toBeLessThan(10_000);
    }
    const starts = sales.map((sale) => sale.startAt);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(priceChanges.map((change) => change.at)).toEqual([3_333, 6_666]);
    for (const change of priceChanges) expect(change.price).toBeGreaterThan(0);
  });

  it("keeps a given schedule", () => {
    const schedule = [{ at: 5, action: "kill-server" as const }];
    expect(
      planSimulation({
        seed: 1,
        registerIds,
        durationMs: 1_000,
        salesCount: 1,
        priceChangeCount: 0,
        products,
        schedule,
      }).schedule,
    ).toEqual(schedule);
  });
});
