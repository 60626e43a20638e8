import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MasterDataIndex } from "../../../replication/master-data/master-data-index.ts";
import { customer, product, sampleCatalog, verified } from "./fixtures.ts";

/** One backend under test: a fresh empty index, and (for persistent ones) a way to reopen it. */
export type IndexFactory = {
  create(): Promise<MasterDataIndex>;
  /** Closes `index` and opens the same storage again; absent for memory-only indexes. */
  reopen?: (index: MasterDataIndex) => Promise<MasterDataIndex>;
  cleanup?: () => Promise<void>;
};

/** The behaviour every MasterDataIndex must show; run once per implementation. */
export function describeMasterDataIndex(name: string, factory: IndexFactory): void {
  describe(`MasterDataIndex conformance: ${name}`, () => {
    let index: MasterDataIndex;

    beforeEach(async () => {
      index = await factory.create();
    });
    afterEach(async () => {
      await index.close();
      await factory.cleanup?.();
    });

    it("starts empty at seq 0", async () => {
      expect(await index.appliedSeq()).toBe(0);
      expect(await index.productById("p1")).toBeUndefined();
      expect(await index.store()).toBeUndefined();
      expect(Object.values(await index.counts()).every((n) => n === 0)).toBe(true);
    });

    it("applies a full package and answers every lookup", async () => {
      expect(await index.apply(await verified(1, "full", sampleCatalog()))).toBe("applied");
      expect(await index.appliedSeq()).toBe(1);
      expect((await index.productById("p2"))?.taxGroupId).toBe("red");
      expect((await index.productByBarcode("4000000000011"))?.id).toBe("p1");
      expect((await index.productByBarcode("4000000000001"))?.id).toBe("p1");
      expect(await index.productByBarcode("999")).toBeUndefined();
      expect((await index.operatorById("o1"))?.permissions).toEqual(["sell", "void-line"]);
      expect((await index.registerById("r1"))?.offlineProfileId).toBe("op1");
      expect((await index.offlineProfileById("op1"))?.switchTimeoutMs).toBe(3000);
      expect((await index.tenderTypes()).map((t) => t.id)).toEqual(["card", "cash"]);
      expect((await index.taxGroups()).map((t) => t.rateBp)).toEqual([550, 2000]);
      expect((await index.discounts()).map((d) => d.id)).toEqual(["d1"]);
      expect((await index.store())?.currency).toBe("EUR");
      expect((await index.store("s1"))?.name).toBe("Main Street");
      expect((await index.customerById("c1"))?.email).toBe("anna@example.com");
      expect(await index.counts()).toEqual({
        store: 1,
        "tax-group": 2,
        product: 2,
        discount: 1,
        customer: 3,
        operator: 1,
        "offline-profile": 1,
        register: 1,
        "tender-type": 2,
      });
    });

    it("searches customers by name, any word, e-mail and phone digits", async () => {
      await index.apply(await verified(1, "full", sampleCatalog()));
      const ids = async (q: string) => (await index.searchCustomers(q)).map((c) => c.id);
      expect(await ids("smi")).toEqual(["c1", "c2"]);
      expect(await ids("SMITHE")).toEqual(["c2"]);
      expect(await ids("anna s")).toEqual(["c1"]);
      expect(await ids("anna@")).toEqual(["c1"]);
      expect(await ids("+49 170")).toEqual(["c1"]);
      expect(await ids("zzz")).toEqual([]);
      expect(await ids("  ")).toEqual([]);
      expect((await index.searchCustomers("s", 1)).map((c) => c.id)).toEqual(["c1"]);
    });

    it("searches active products by every word of their name", async () => {
      await index.apply(
        await verified(1, "full", [
          ...sampleCatalog(),
          { entity: "product", op: "upsert", value: product("p3", { name: "Green Apple Juice" }) },
          { entity: "product", op: "upsert", value: product("p4", { name: "Apple Pie" }) },
          {
            entity: "product",
            op: "upsert",
            value: product("p5", { name: "Apple Cider", active: false }),
          },
        ]),
      );
      const ids = async (text: string, limit?: number) =>
        (await index.searchProducts(text, limit)).map((p) => p.id);
      expect(await ids("apple")).toEqual(["p4", "p3"]);
      expect(await ids("JUICE apple")).toEqual(["p3"]);
      expect(await ids("apple", 1)).toEqual(["p4"]);
      expect(await ids("cider")).toEqual([]);
      expect(await ids("   ")).toEqual([]);
    });

    it("applies deltas: upsert, delete, barcode moves", async () => {
      await index.apply(await verified(1, "full", sampleCatalog()));
      await index.apply(
        await verified(2, "delta", [
          {
            entity: "product",
            op: "upsert",
            value: product("p1", { barcodes: ["777"], price: 250 }),
          },
          { entity: "product", op: "delete", id: "p2" },
          { entity: "customer", op: "delete", id: "c3" },
          { entity: "customer", op: "upsert", value: customer("c4", "Dora Smith") },
          { entity: "tender-type", op: "delete", id: "card" },
          { entity: "operator", op: "delete", id: "nobody" },
        ]),
      );
      expect(await index.appliedSeq()).toBe(2);
      expect((await index.productById("p1"))?.price).toBe(250);
      expect((await index.productByBarcode("777"))?.id).toBe("p1");
      expect(await index.productByBarcode("4000000000001")).toBeUndefined();
      expect(await index.productById("p2")).toBeUndefined();
      expect(await index.customerById("c3")).toBeUndefined();
      expect((await index.searchCustomers("smith")).map((c) => c.id)).toEqual(["c1", "c2", "c4"]);
      expect((await index.tenderTypes()).map((t) => t.id)).toEqual(["cash"]);
      expect((await index.counts()).product).toBe(1);
    });

    it("treats a package at or below the applied seq as already applied", async () => {
      await index.apply(await verified(1, "full", sampleCatalog()));
      const delta = await verified(2, "delta", [{ entity: "product", op: "delete", id: "p1" }]);
      expect(await index.apply(delta)).toBe("applied");
      expect(await index.apply(delta)).toBe("already-applied");
      expect(await index.apply(await verified(1, "full", sampleCatalog()))).toBe("already-applied");
      expect(await index.productById("p1")).toBeUndefined();
      expect(await index.appliedSeq()).toBe(2);
    });

    it("refuses a delta after a gap and keeps its data", async () => {
      await index.apply(await verified(1, "full", sampleCatalog()));
      const gap = await verified(3, "delta", [{ entity: "product", op: "delete", id: "p1" }]);
      await expect(index.apply(gap)).rejects.toMatchObject({ code: "POS_MD_005", seq: 3 });
      expect(await index.appliedSeq()).toBe(1);
      expect(await index.productById("p1")).toBeDefined();
    });

    it("a newer full package replaces everything, also across a gap", async () => {
      await index.apply(await verified(1, "full", sampleCatalog()));
      await index.apply(
        await verified(5, "full", [{ entity: "product", op: "upsert", value: product("p9") }]),
      );
      expect(await index.appliedSeq()).toBe(5);
      expect(await index.productById("p1")).toBeUndefined();
      expect(await index.productByBarcode("4000000000001")).toBeUndefined();
      expect((await index.productById("p9"))?.name).toBe("Product p9");
      expect(await index.searchCustomers("anna")).toEqual([]);
      expect(await index.store()).toBeUndefined();
      expect((await index.counts()).product).toBe(1);
    });

    if (factory.reopen !== undefined) {
      const reopen = factory.reopen;
      it("keeps applied packages and their seq across a restart", async () => {
        await index.apply(await verified(1, "full", sampleCatalog()));
        await index.apply(
          await verified(2, "delta", [
            { entity: "product", op: "upsert", value: product("p3") },
            { entity: "customer", op: "delete", id: "c2" },
          ]),
        );
        index = await reopen(index);
        expect(await index.appliedSeq()).toBe(2);
        expect((await index.productByBarcode(product("p3").barcodes[0]!))?.id).toBe("p3");
        expect((await index.searchCustomers("smi")).map((c) => c.id)).toEqual(["c1"]);
        expect((await index.counts()).product).toBe(3);
        await index.apply(
          await verified(3, "full", [{ entity: "product", op: "upsert", value: product("p7") }]),
        );
        index = await reopen(index);
        expect(await index.appliedSeq()).toBe(3);
        expect((await index.counts()).product).toBe(1);
      });
    }
  });
}
