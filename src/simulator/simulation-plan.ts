import type { ScheduleStep } from "./partition-schedule.ts";
import { randomPartitionSchedule } from "./random-schedule.ts";
import { seededRandom } from "./seeded-random.ts";

/** One sale the simulator rings up: which register, when (ms after the start), what it scans. */
export type PlannedSale = {
  readonly number: number;
  readonly registerId: string;
  readonly startAt: number;
  readonly barcodes: readonly string[];
};

/** A price edit in the back office followed by a distribution run, at `at` ms. */
export type PlannedPriceChange = {
  readonly at: number;
  readonly productId: string;
  readonly price: number;
};

/** Everything a simulation does, decided before it starts: the same seed gives the same plan. */
export type SimulationPlan = {
  readonly seed: number;
  readonly registerIds: readonly string[];
  readonly durationMs: number;
  readonly schedule: readonly ScheduleStep[];
  readonly sales: readonly PlannedSale[];
  readonly priceChanges: readonly PlannedPriceChange[];
};

/** The products a plan draws from (the demo store's, for the retail server's demo data). */
export type PlanProduct = {
  readonly id: string;
  readonly barcode: string;
  readonly price: number;
};

/**
 * Plans a simulation from its seed: `salesCount` sales spread evenly over the duration (with a
 * little jitter) across the registers at random, each scanning 1 to 6 products; `priceChanges`
 * price edits at even intervals; and the random partition schedule unless `schedule` is given.
 */
export function planSimulation(input: {
  readonly seed: number;
  readonly registerIds: readonly string[];
  readonly durationMs: number;
  readonly salesCount: number;
  readonly priceChangeCount: number;
  readonly products: readonly PlanProduct[];
  readonly schedule?: readonly ScheduleStep[];
}): SimulationPlan {
  if (input.registerIds.length === 0) throw new RangeError("a simulation needs a register");
  if (input.products.length === 0) throw new RangeError("a simulation needs products to sell");
  const salesRandom = seededRandom(input.seed, "sales");
  const slot = input.durationMs / Math.max(1, input.salesCount);
  const sales: PlannedSale[] = [];
  for (let number = 1; number <= input.salesCount; number++) {
    const count = salesRandom.int(1, 6);
    const barcodes = Array.from({ length: count }, () => salesRandom.pick(input.products).barcode);
    sales.push({
      number,
      registerId: salesRandom.pick(input.registerIds),
      startAt: Math.floor((number - 1) * slot + salesRandom.next() * slot * 0.5),
      barcodes,
    });
  }
  const priceRandom = seededRandom(input.seed, "prices");
  const priceChanges: PlannedPriceChange[] = [];
  for (let i = 1; i <= input.priceChangeCount; i++) {
    const product = priceRandom.pick(input.products);
    const factor = 0.8 + priceRandom.next() * 0.4;
    priceChanges.push({
      at: Math.floor((input.durationMs * i) / (input.priceChangeCount + 1)),
      productId: product.id,
      price: Math.max(1, Math.round(product.price * factor)),
    });
  }
  return {
    seed: input.seed,
    registerIds: [...input.registerIds],
    durationMs: input.durationMs,
    schedule:
      input.schedule ??
      randomPartitionSchedule({
        seed: input.seed,
        registerIds: input.registerIds,
        durationMs: input.durationMs,
      }),
    sales,
    priceChanges,
  };
}
