import { describe, expect, it } from "vitest";
import type { RegisterConnectionMode } from "../../../replication/connection/connection-controller.ts";
import {
  ConnectionController,
  systemClock,
} from "../../../replication/connection/connection-controller-driver.ts";

describe("ConnectionController on the real clock", () => {
  it("switches offline after the switch timeout and reconnects at the next transaction start", async () => {
    let serverUp = false;
    const modes: RegisterConnectionMode[] = [];
    const controller = new ConnectionController({
      profile: { switchTimeoutMs: 100, reconnectIntervalMs: 1_000 },
      offlineSupport: true,
      clock: systemClock,
      probe: (signal) =>
        serverUp
          ? Promise.resolve()
          : new Promise<void>((_, reject) =>
              signal.addEventListener("abort", () => reject(signal.reason)),
            ),
    });
    controller.subscribe((mode) => modes.push(mode));
    try {
      const startedAt = Date.now();
      const request = controller.trackRequest("server-request", new Promise<never>(() => {}));
      await expect(request).rejects.toMatchObject({ code: "SERVER_REQUEST_TIMED_OUT" });
      const elapsed = Date.now() - startedAt;
      expect(elapsed).toBeGreaterThanOrEqual(99);
      expect(elapsed).toBeLessThan(1_000);
      expect(controller.mode).toBe("offline");

      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await controller.beforeTransaction();
      expect(controller.mode).toBe("offline");
      expect(modes).toEqual(["offline", "probing", "offline"]);

      serverUp = true;
      await controller.beforeTransaction();
      expect(controller.mode).toBe("offline");
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await controller.beforeTransaction();
      expect(controller.mode).toBe("online");
    } finally {
      controller.dispose();
    }
  });
});
