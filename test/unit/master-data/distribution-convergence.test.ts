import { Repo } from "@automerge/automerge-repo";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Product } from "../../../domain/master-data.ts";
import {
  runDeltaDistribution,
  runFullDistribution,
} from "../../../replication/master-data/distribution-run.ts";
import type { MasterDataIndex } from "../../../replication/master-data/master-data-index.ts";
import { MemoryMasterDataIndex } from "../../../replication/master-data/memory-master-data-index.ts";
import { PackageApplier } from "../../../replication/master-data/package-applier.ts";
import { StagingArea } from "../../../replication/master-data/staging-area.ts";
import { customer, product } from "./fixtures.ts";

const RUNS = Number(process.env.POS_PROPERTY_RUNS ?? 100);
const IDS = ["a", "b", "c", "d", "e"] as const;

type Step =
  | { readonly type: "upsert-product"; readonly id: string; readonly price: number }
  | { readonly type: "delete-product"; readonly id: string }
  | { readonly type: "upsert-customer"; readonly id: string; readonly name: string }
  | { readonly type: "delete-customer"; readonly id: string }
  | { readonly type: "delta-run" }
  | { readonly type: "full-run" };

const id = fc.constantFrom(...IDS);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constant("upsert-product" as const),
    id,
    price: fc.integer({ min: 0, max: 9999 }),
  }),
  fc.record({ type: fc.constant("delete-product" as const), id }),
  fc.record({
    type: fc.constant("upsert-customer" as const),
    id,
    name: fc.constantFrom("Ann", "Bo", "Cy"),
  }),
  fc.record({ type: fc.constant("delete-customer" as const), id }),
  fc.constant({ type: "delta-run" as const }),
  fc.constant({ type: "full-run" as const }),
);

function productOf(productId: string, price: number): Product {
  return product(productId, { barcodes: [`bc-${productId}`], price });
}

async function expectSameAsStaging(index: MasterDataIndex, staging: StagingArea): Promise<void> {
  for (const key of IDS) {
    expect(await index.productById(key)).toEqual(staging.get("product", key));
    expect(await index.productByBarcode(`bc-${key}`)).toEqual(staging.get("product", key));
    expect(await index.customerById(key)).toEqual(staging.get("customer", key));
  }
  const counts = await index.counts();
  expect(counts.product).toBe(staging.list("product").length);
  expect(counts.customer).toBe(staging.list("customer").length);
}

describe("distribution convergence (property)", () => {
  const repo = new Repo();
  afterAll(async () => {
    await repo.shutdown();
  });

  it("a register that follows every run and a fresh register both end with headquarters' data", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        let now = 0;
        const clock = () => ++now;
        const staging = new StagingArea();
        const following = new MemoryMasterDataIndex();
        const applier = new PackageApplier({ index: following, clock });
        const first = await runFullDistribution({
          repo,
          staging,
          dataGroupId: "dg",
          currentLog: undefined,
          clock,
        });
        if (first.kind === "none") throw new Error("a full run always produces a package");
        let log = first.log;
        applier.follow(log);
        for (const s of steps) {
          if (s.type === "upsert-product")
            await staging.upsert("product", productOf(s.id, s.price));
          else if (s.type === "delete-product") await staging.delete("product", s.id);
          else if (s.type === "upsert-customer")
            await staging.upsert("customer", customer(s.id, s.name));
          else if (s.type === "delete-customer") await staging.delete("customer", s.id);
          else if (s.type === "delta-run") {
            await runDeltaDistribution({ staging, log, clock });
            await applier.sync();
          } else {
            const full = await runFullDistribution({
              repo,
              staging,
              dataGroupId: "dg",
              currentLog: log,
              clock,
            });
            if (full.kind === "none") throw new Error("a full run always produces a package");
            log = full.log;
            applier.follow(log);
          }
        }
        await runDeltaDistribution({ staging, log, clock });
        const final = await applier.sync();
        expect(final.error).toBeNull();
        await expectSameAsStaging(following, staging);

        const fresh = new MemoryMasterDataIndex();
        const freshApplier = new PackageApplier({ index: fresh, clock });
        freshApplier.follow(log);
        const status = await freshApplier.sync();
        expect(status.error).toBeNull();
        expect(status.appliedSeq).toBe(final.appliedSeq);
        await expectSameAsStaging(fresh, staging);
        await applier.close();
        await freshApplier.close();
      }),
      { numRuns: RUNS },
    );
  });
});
