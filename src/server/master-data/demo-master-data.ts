import type { StoreConfiguration } from "../../../replication/documents/store-configuration.ts";
import type { UpsertRow } from "../../../replication/master-data/master-data-row.ts";
import type { DemoStore } from "../demo-store.ts";

/**
 * What headquarters sets up for the demo store on the server's first start: the store
 * configuration document and the master data rows staged for the first full distribution.
 */

/** The id of a store's channel data group. */
export function channelDataGroupId(storeId: string): string {
  return `CDG-${storeId}`;
}

/**
 * The store configuration of the demo store: every register with offline support gets its
 * offline replica entry (created `at`). The manifest is empty until the first full distribution.
 */
export function demoStoreConfiguration(demo: DemoStore, at: number): StoreConfiguration {
  return {
    store: demo.store,
    registers: [...demo.registers],
    operators: demo.operators.map((operator) => ({
      ...operator,
      permissions: [...operator.permissions],
    })),
    tenderTypes: [...demo.tenderTypes],
    taxGroups: [...demo.taxGroups],
    offlineProfiles: [...demo.offlineProfiles],
    defaultOfflineProfileId: demo.offlineProfiles[0]?.id ?? null,
    channelDataGroup: {
      id: channelDataGroupId(demo.store.id),
      name: `${demo.store.name} channel data group`,
      offlineReplicas: demo.registers
        .filter((register) => register.offlineSupport)
        .map((register) => ({ registerId: register.id, createdAt: at })),
    },
    masterDataManifest: {},
  };
}

/** Every master data record of the demo store, as upsert rows for the staging area. */
export function demoMasterDataRows(demo: DemoStore): UpsertRow[] {
  return [
    { entity: "store", op: "upsert", value: demo.store },
    ...demo.taxGroups.map((value): UpsertRow => ({ entity: "tax-group", op: "upsert", value })),
    ...demo.tenderTypes.map((value): UpsertRow => ({ entity: "tender-type", op: "upsert", value })),
    ...demo.offlineProfiles.map(
      (value): UpsertRow => ({ entity: "offline-profile", op: "upsert", value }),
    ),
    ...demo.registers.map((value): UpsertRow => ({ entity: "register", op: "upsert", value })),
    ...demo.operators.map((value): UpsertRow => ({ entity: "operator", op: "upsert", value })),
    ...demo.products.map((value): UpsertRow => ({ entity: "product", op: "upsert", value })),
    ...demo.discounts.map((value): UpsertRow => ({ entity: "discount", op: "upsert", value })),
    ...demo.customers.map((value): UpsertRow => ({ entity: "customer", op: "upsert", value })),
  ];
}
