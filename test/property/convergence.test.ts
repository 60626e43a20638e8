import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Product } from "../../domain/master-data.ts";
import type { ConvergenceRegister } from "../support/convergence-store.ts";
import {
  ConvergenceStore,
  currentLogId,
  propertyBudgetMs,
  quiesce,
  StoreRecycler,
} from "../support/convergence-store.ts";

/**
 * Convergence after offline periods, with real automerge-repo peers on real storage and a real
 * retail server: fast-check generates schedules of sales, returns with receipt, price edits,
 * distribution runs, partitions and heals, register restarts (one of which forgets the master
 * data log document, so the register first asks for it while no peer is connected) and server
 * restarts. Each schedule draws how many registers take part (1 to 5) and names only those;
 * the others stay connected and idle. Steps follow each other without waiting, so changes land
 * while sockets reconnect.
 *
 * After the last heal and quiescence every run checks, for every register of the store (taking
 * part or not): identical heads for every document each register holds and the server's copy
 * of it; the journal holds each completed sale once and nothing else; receipt numbers are unique
 * in the store; each register's master data equals the latest distribution; stock on hand =
 * initial - sold + returned.
 *
 * A store (the server and five offline-capable registers: R1, R2 and the extra demo registers
 * R4-R6) serves a block of consecutive runs, and the model keeps everything those runs did, so
 * the checks hold for the store's whole history, not only the last run. Every
 * POS_CONVERGENCE_RECYCLE_RUNS runs the store is closed and a fresh one starts with a fresh
 * model, so a long soak does not slow down as one store's history grows. Once a run failed,
 * every later run (fast-check's shrink attempts) starts on a fresh store, so the shrunk schedule
 * fails on its own, not because of earlier runs. POS_CONVERGENCE_TIMING=1 logs the mean run time
 * of each store's block of runs.
 */

const RUNS = Number(process.env.POS_PROPERTY_RUNS ?? 100);
/**
 * Replays a reported failure: POS_PROPERTY_SEED=<seed>, and POS_PROPERTY_PATH=<path> to start
 * from the shrunk schedule (server logs: POS_CONVERGENCE_LOG=info).
 */
const SEED = process.env.POS_PROPERTY_SEED;
const PATH = process.env.POS_PROPERTY_PATH;
const LOG_LEVEL = process.env.POS_CONVERGENCE_LOG === "info" ? "info" : "silent";
/** Runs one store serves before a fresh one replaces it. */
const RECYCLE_RUNS = Number(process.env.POS_CONVERGENCE_RECYCLE_RUNS ?? 50);
const TIMING = process.env.POS_CONVERGENCE_TIMING === "1";
/** The store's offline-capable registers (R3 has no offline support). */
const REGISTER_IDS = ["R1", "R2", "R4", "R5", "R6"] as const;
const PRODUCT_POOL_SIZE = 5;
/**
 * Registers are drawn as a number below this (a common multiple of 1-5) and taken modulo the
 * run's register count: each taking part is equally likely, and a shrunk count keeps the steps.
 */
const REGISTER_DRAW = 60;

const PROPERTY_BUDGET_MS = propertyBudgetMs(RUNS, RECYCLE_RUNS);

type Step =
  | {
      readonly kind: "sale";
      readonly register: number;
      readonly items: readonly (readonly [number, number])[];
    }
  | { readonly kind: "return"; readonly register: number; readonly pick: number }
  | { readonly kind: "price"; readonly product: number; readonly price: number }
  | { readonly kind: "distribute" }
  | { readonly kind: "cut"; readonly register: number }
  | { readonly kind: "heal"; readonly register: number }
  | { readonly kind: "disconnect-917"; readonly register: number }
  | { readonly kind: "restart-register"; readonly register: number; readonly forgetLog: boolean }
  | { readonly kind: "restart-server" };

function describeStep(step: Step): string {
  const r = (index: number) => REGISTER_IDS[index] ?? `R?${index}`;
  switch (step.kind) {
    case "sale":
      return `sale ${r(step.register)} [${step.items.map(([p, q]) => `p${p}x${q}`).join(", ")}]`;
    case "return":
      return `return ${r(step.register)} #${step.pick}`;
    case "price":
      return `price p${step.product}=${step.price}`;
    case "distribute":
      return "distribute";
    case "cut":
      return `cut ${r(step.register)}`;
    case "heal":
      return `heal ${r(step.register)}`;
    case "disconnect-917":
      return `917-disconnect ${r(step.register)}`;
    case "restart-register":
      return `restart ${r(step.register)}${step.forgetLog ? " (forget master data log)" : ""}`;
    case "restart-server":
      return "restart-server";
  }
}

function readable<T extends Step>(step: T): T {
  return Object.assign(step, { [fc.toStringMethod]: () => describeStep(step) });
}

/** A register draw, below {@link REGISTER_DRAW}; {@link onRegisters} narrows it to the run's. */
const registerIndex = fc.nat(REGISTER_DRAW - 1);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        register: registerIndex,
        items: fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: PRODUCT_POOL_SIZE - 1 }),
            fc.integer({ min: 1, max: 3 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      })
      .map(({ register, items }) => readable({ kind: "sale", register, items })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ register: registerIndex, pick: fc.nat(20) })
      .map(({ register, pick }) => readable({ kind: "return", register, pick })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        product: fc.integer({ min: 0, max: PRODUCT_POOL_SIZE - 1 }),
        price: fc.integer({ min: 1, max: 50_000 }),
      })
      .map(({ product, price }) => readable({ kind: "price", product, price })),
  },
  { weight: 2, arbitrary: fc.constant(null).map(() => readable({ kind: "distribute" })) },
  {
    weight: 3,
    arbitrary: registerIndex.map((register) => readable({ kind: "cut", register })),
  },
  {
    weight: 2,
    arbitrary: registerIndex.map((register) => readable({ kind: "heal", register })),
  },
  {
    weight: 1,
    arbitrary: registerIndex.map((register) => readable({ kind: "disconnect-917", register })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ register: registerIndex, forgetLog: fc.boolean() })
      .map(({ register, forgetLog }) =>
        readable({ kind: "restart-register", register, forgetLog }),
      ),
  },
  { weight: 1, arbitrary: fc.constant(null).map(() => readable({ kind: "restart-server" })) },
);

/** One run: how many registers take part (the first of {@link REGISTER_IDS}) and their steps. */
type Schedule = { readonly registerCount: number; readonly steps: readonly Step[] };

function describeSchedule(schedule: Schedule): string {
  const names = REGISTER_IDS.slice(0, schedule.registerCount).join(", ");
  return `${schedule.registerCount} register${schedule.registerCount === 1 ? "" : "s"} (${names}): [${schedule.steps.map(describeStep).join(", ")}]`;
}

/** The step with its register draw narrowed to the first `registerCount` registers. */
function onRegisters(step: Step, registerCount: number): Step {
  return "register" in step ? readable({ ...step, register: step.register % registerCount }) : step;
}

const scheduleArbitrary: fc.Arbitrary<Schedule> = fc
  .record({
    registerCount: fc.integer({ min: 1, max: REGISTER_IDS.length }),
    steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 8 }),
  })
  .map(({ registerCount, steps }) => {
    const schedule: Schedule = {
      registerCount,
      steps: steps.map((step) => onRegisters(step, registerCount)),
    };
    return Object.assign(schedule, { [fc.toStringMethod]: () => describeSchedule(schedule) });
  });

/** What the cashiers did and headquarters distributed, across every run on one store. */
type CompletedSale = {
  readonly registerId: string;
  readonly receiptNumber: string;
  readonly total: number;
  /** Units sold per product id still returnable with this receipt. */
  readonly returnable: Map<string, number>;
};

type Model = {
  readonly sales: CompletedSale[];
  readonly stockDelta: Map<string, number>;
  /** Latest staged version of each edited product. */
  readonly staged: Map<string, Product>;
  /** Version of each edited product in the latest distribution. */
  readonly distributed: Map<string, Product>;
};

function ok(
  result: { ok: true } | { ok: false; code: string; message: string },
  what: string,
  register?: ConvergenceRegister,
) {
  if (result.ok) return;
  const view = register?.session.view();
  const state = view
    ? ` (mode ${view.connection.mode}, provisioning ${JSON.stringify(view.provisioning)}, last error ${view.connection.lastError})`
    : "";
  throw new Error(`${what} refused: ${result.code} ${result.message}${state}`);
}

async function completeWithCash(
  register: ConvergenceRegister,
  model: Model,
  units: Map<string, number>,
  sign: 1 | -1,
) {
  const session = register.session;
  const due = session.state.openSale?.amountDue ?? 0;
  if (due !== 0) ok(await session.pay("cash", due), `pay on ${register.registerId}`);
  ok(await session.completeSale(), `complete on ${register.registerId}`);
  const completed = session.state.lastCompletedSale;
  if (!completed) throw new Error("no completed sale after completeSale");
  model.sales.push({
    registerId: register.registerId,
    receiptNumber: completed.receiptNumber,
    total: completed.total,
    returnable: sign === 1 ? new Map(units) : new Map(),
  });
  for (const [productId, quantity] of units) {
    model.stockDelta.set(productId, (model.stockDelta.get(productId) ?? 0) - sign * quantity);
  }
}

async function runStep(store: ConvergenceStore, model: Model, pool: readonly string[], step: Step) {
  switch (step.kind) {
    case "sale": {
      const register = store.registers[step.register]!;
      const units = new Map<string, number>();
      for (const [productIndex, quantity] of step.items) {
        const productId = pool[productIndex]!;
        ok(
          await register.session.addProduct(productId, quantity),
          `add ${productId} on ${register.registerId}`,
          register,
        );
        units.set(productId, (units.get(productId) ?? 0) + quantity);
      }
      await completeWithCash(register, model, units, 1);
      return;
    }
    case "return": {
      const register = store.registers[step.register]!;
      const candidates = model.sales.filter(
        (sale) =>
          sale.registerId === register.registerId &&
          [...sale.returnable.values()].some((quantity) => quantity > 0),
      );
      const sale = candidates[step.pick % Math.max(1, candidates.length)];
      if (!sale) return;
      const [productId] = [...sale.returnable].find(([, quantity]) => quantity > 0)!;
      ok(
        await register.session.addReturnLine({
          productId,
          quantity: 1,
          originalReceipt: sale.receiptNumber,
        }),
        `return of ${productId} on ${sale.receiptNumber}`,
      );
      sale.returnable.set(productId, (sale.returnable.get(productId) ?? 0) - 1);
      await completeWithCash(register, model, new Map([[productId, 1]]), -1);
      return;
    }
    case "price": {
      const productId = pool[step.product]!;
      model.staged.set(productId, await store.editPrice(productId, step.price));
      return;
    }
    case "distribute": {
      await store.distribute();
      for (const [productId, product] of model.staged) model.distributed.set(productId, product);
      return;
    }
    case "cut":
      store.registers[step.register]!.cut();
      return;
    case "heal":
      store.registers[step.register]!.heal();
      return;
    case "disconnect-917": {
      const session = store.registers[step.register]!.session;
      if (session.mode === "online") ok(await session.operation917(), "917 disconnect");
      return;
    }
    case "restart-register": {
      const register = store.registers[step.register]!;
      const logId =
        register.session.view().connection.appliedPackageSeq > 0 ? currentLogId(store) : null;
      await register.close();
      if (step.forgetLog && logId !== null) await register.forgetDocument(logId);
      await register.open();
      await register.signIn();
      return;
    }
    case "restart-server":
      await store.stopServer();
      await store.startServer();
      return;
  }
}

/** A store with the model of everything its runs did. */
type Bench = {
  readonly store: ConvergenceStore;
  readonly pool: readonly string[];
  readonly model: Model;
};

async function startBench(): Promise<Bench> {
  const store = await ConvergenceStore.start({ registerIds: REGISTER_IDS, logLevel: LOG_LEVEL });
  const products = store.server.backOffice.catalogReferences().products ?? [];
  const pool = products.slice(0, PRODUCT_POOL_SIZE).map((product) => product.id);
  if (pool.length !== PRODUCT_POOL_SIZE) {
    await store.close();
    throw new Error(
      `the demo catalog has ${pool.length} products, the property needs ${PRODUCT_POOL_SIZE}`,
    );
  }
  return {
    store,
    pool,
    model: { sales: [], stockDelta: new Map(), staged: new Map(), distributed: new Map() },
  };
}

/** Every check of the property, over the whole history of the bench's store. */
async function expectConverged({ store, pool, model }: Bench): Promise<void> {
  // 1. Equal heads everywhere: quiesce waited for them (and failed the run otherwise).

  // 2. The journal holds every completed sale exactly once, and nothing else.
  const { sales: journal } = await store.admin<{
    sales: { receiptNumber: string; registerId: string; total: number }[];
  }>("GET", "/api/journal");
  const journalReceipts = journal.map((entry) => entry.receiptNumber);
  expect(new Set(journalReceipts).size).toBe(journalReceipts.length);
  expect(
    journal.map((entry) => `${entry.registerId} ${entry.receiptNumber} ${entry.total}`).sort(),
  ).toEqual(
    model.sales.map((sale) => `${sale.registerId} ${sale.receiptNumber} ${sale.total}`).sort(),
  );

  // 3. Receipt numbers are unique across the store (registers' own logs included).
  const logged = store.registers.flatMap((register) =>
    register.session.events.flatMap((event) =>
      event.type === "SaleCompleted" ? [`${register.registerId}:${event.saleId}`] : [],
    ),
  );
  expect(logged.length).toBe(model.sales.length);
  const receipts = model.sales.map((sale) => sale.receiptNumber);
  expect(new Set(receipts).size).toBe(receipts.length);

  // 4. Each register's master data equals the latest distribution.
  const expectedCounts = countsFromStaging(store);
  for (const register of store.registers) {
    for (const [productId, product] of model.distributed) {
      expect(await register.index.productById(productId), register.registerId).toEqual(product);
    }
    expect(await register.index.counts(), register.registerId).toEqual(expectedCounts);
  }

  // 5. Stock on hand = initial (none in the demo store) - sold + returned.
  const { stock } = await store.admin<{ stock: Record<string, number> }>("GET", "/api/stock");
  for (const productId of pool) {
    expect(stock[productId] ?? 0, productId).toBe(model.stockDelta.get(productId) ?? 0);
  }
}

describe("convergence after offline periods (real peers, real storage, real server)", () => {
  const stores = new StoreRecycler({
    start: startBench,
    recycleRuns: RECYCLE_RUNS,
    ...(TIMING ? { timing: "convergence" } : {}),
  });

  afterAll(async () => {
    await stores.close();
  }, 60_000);

  it(
    "every schedule on 1-5 registers converges: equal heads, each sale once in the journal, unique receipts, latest master data, exact stock",
    async () => {
      await fc.assert(
        fc.asyncProperty(scheduleArbitrary, (schedule) =>
          stores.run(async (bench) => {
            try {
              for (const step of schedule.steps) {
                await runStep(bench.store, bench.model, bench.pool, step);
              }
              await quiesce(bench.store);
            } catch (error) {
              console.error(`schedule ${describeSchedule(schedule)} failed:`, error);
              throw error;
            }
            await expectConverged(bench);
          }),
        ),
        {
          numRuns: RUNS,
          verbose: 1,
          interruptAfterTimeLimit: PROPERTY_BUDGET_MS,
          markInterruptAsFailure: true,
          ...(SEED === undefined ? {} : { seed: Number(SEED), endOnFailure: true }),
          ...(PATH === undefined ? {} : { path: PATH }),
        },
      );
    },
    PROPERTY_BUDGET_MS + 60_000,
  );
});

/** Rows per entity in headquarters' staging area (price edits change rows, never their number). */
function countsFromStaging(store: ConvergenceStore): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of store.server.backOffice.stagingSnapshot().records) {
    const entity = (record as { entity: string }).entity;
    counts[entity] = (counts[entity] ?? 0) + 1;
  }
  return counts;
}
