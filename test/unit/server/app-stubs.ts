import { ChannelProjection } from "../../../domain/channel-projection.ts";
import type { AppDependencies } from "../../../src/server/http/app.ts";

/** App dependencies the device and catalog tests do not exercise: an empty channel, no runs. */
export function appStubs(): Pick<
  AppDependencies,
  "storeId" | "channel" | "backOffice" | "staticRoot"
> {
  return {
    storeId: "S1",
    channel: new ChannelProjection(),
    backOffice: {
      distribute: () => Promise.resolve({ seq: null, kind: "none", rows: 0 }),
      updateProduct: () => Promise.reject(new Error("not used")),
      setOfflineSupport: () => Promise.reject(new Error("not used")),
      upsertMasterData: () => Promise.reject(new Error("not used")),
      removeMasterData: () => Promise.reject(new Error("not used")),
      upsertOperator: () => Promise.reject(new Error("not used")),
      upsertOfflineProfile: () => Promise.reject(new Error("not used")),
    },
    staticRoot: null,
  };
}
