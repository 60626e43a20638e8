import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Product } from "../../domain/master-data.ts";
import {
  type ConvergenceRegister,
  ConvergenceStore,
  currentLogId,
  propertyBudgetMs,
  quiesce,
  StoreRecycler,
} from "../support/convergence-store.ts";

/**
 * The two reconnect bugs automerge-repo fixed upstream without tests, aimed at directly:
 *
 * - a change made during a reconnect: a distribution run lands just before the register's socket
 *   goes down (the server's sync message is lost with it), and the register sells and the server
 *   distributes again while the socket is coming back;
 * - a document first requested while no peer is connected: the register restarts inside the
 *   partition having lost its copy of the master data log, so it asks for the log before any
 *   peer is there.
 *
 * Each run must end with the register holding the server's heads for every document, the latest
 * master data applied, and every sale in the journal. Runs share a store in blocks, recycled
 * like the schedule property's (POS_CONVERGENCE_RECYCLE_RUNS, fresh after a failed run).
 */

const RUNS = Number(process.env.POS_PROPERTY_RUNS ?? 100);
const SEED = process.env.POS_PROPERTY_SEED;
/** Runs one store serves before a fresh one replaces it (see {@link StoreRecycler}). */
const RECYCLE_RUNS = Number(process.env.POS_CONVERGENCE_RECYCLE_RUNS ?? 50);
const TIMING = process.env.POS_CONVERGENCE_TIMING === "1";
const PROPERTY_BUDGET_MS = propertyBudgetMs(RUNS, RECYCLE_RUNS);

type Scenario = {
  /** Time between the distribution run and the cut. */
  readonly cutAfterMs: number;
  readonly cutForMs: number;
  readonly restartInPartition: boolean;
  readonly forgetLog: boolean;
  readonly sellDuringReconnect: boolean;
  readonly distributeDuringReconnect: boolean;
  readonly price: number;
};

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  cutAfterMs: fc.integer({ min: 0, max: 15 }),
  cutForMs: fc.integer({ min: 0, max: 60 }),
  restartInPartition: fc.boolean(),
  forgetLog: fc.boolean(),
  sellDuringReconnect: fc.boolean(),
  distributeDuringReconnect: fc.boolean(),
  price: fc.integer({ min: 1, max: 90_000 }),
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A one-register store with what its runs sold and distributed. */
type Bench = {
  readonly store: ConvergenceStore;
  readonly register: ConvergenceRegister;
  readonly productIds: readonly [string, string];
  readonly receipts: string[];
  readonly distributed: Map<string, Product>;
};

async function startBench(): Promise<Bench> {
  const store = await ConvergenceStore.start({ registerIds: ["R1"] });
  const [first, second] = (store.server.backOffice.catalogReferences().products ?? []).map(
    (product) => product.id,
  );
  if (first === undefined || second === undefined) {
    await store.close();
    throw new Error("the demo catalog needs two products for the reconnect property");
  }
  return {
    store,
    register: store.registers[0]!,
    productIds: [first, second],
    receipts: [],
    distributed: new Map(),
  };
}

async function sell({ register, receipts }: Bench, productId: string): Promise<void> {
  const session = register.session;
  const steps = [
    () => session.addProduct(productId, 1),
    () => session.pay("cash", session.state.openSale?.amountDue ?? 0),
    () => session.completeSale(),
  ];
  for (const step of steps) {
    const result = await step();
    if (!result.ok) throw new Error(`sale refused: ${result.code} ${result.message}`);
  }
  receipts.push(session.state.lastCompletedSale!.receiptNumber);
}

async function editAndDistribute(
  { store, distributed }: Bench,
  productId: string,
  price: number,
): Promise<void> {
  const product = await store.editPrice(productId, price);
  await store.distribute();
  distributed.set(productId, product);
}

describe("reconnect: changes during a reconnect, documents first requested without a peer", () => {
  const stores = new StoreRecycler({
    start: startBench,
    recycleRuns: RECYCLE_RUNS,
    ...(TIMING ? { timing: "reconnect" } : {}),
  });

  afterAll(async () => {
    await stores.close();
  }, 60_000);

  it(
    "every reconnect converges",
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary, (scenario) =>
          stores.run(async (bench) => {
            const { store, register, receipts, distributed } = bench;
            const [first, second] = bench.productIds;
            await editAndDistribute(bench, first, scenario.price);
            await pause(scenario.cutAfterMs);
            register.cut();
            await sell(bench, second);
            if (scenario.restartInPartition) {
              const logId = currentLogId(store);
              await register.close();
              if (scenario.forgetLog && logId !== null) await register.forgetDocument(logId);
              await register.open();
              await register.signIn();
            }
            await pause(scenario.cutForMs);
            register.heal();
            if (register.session.mode !== "online") {
              const connect = await register.session.operation917();
              expect(connect.ok).toBe(true);
            }
            // The socket is still coming back: change both ends now.
            await Promise.all([
              scenario.sellDuringReconnect ? sell(bench, first) : undefined,
              scenario.distributeDuringReconnect
                ? editAndDistribute(bench, second, scenario.price + 1)
                : undefined,
            ]);
            await quiesce(store);

            for (const [productId, product] of distributed) {
              expect(await register.index.productById(productId)).toEqual(product);
            }
            const { sales } = await store.admin<{ sales: { receiptNumber: string }[] }>(
              "GET",
              "/api/journal",
            );
            expect(sales.map((sale) => sale.receiptNumber).sort()).toEqual([...receipts].sort());
          }),
        ),
        {
          numRuns: RUNS,
          verbose: 1,
          interruptAfterTimeLimit: PROPERTY_BUDGET_MS,
          markInterruptAsFailure: true,
          ...(SEED === undefined ? {} : { seed: Number(SEED) }),
        },
      );
    },
    PROPERTY_BUDGET_MS + 60_000,
  );
});
