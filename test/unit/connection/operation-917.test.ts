import { describe, expect, it } from "vitest";
import {
  REGISTER_CONNECTION_MODES,
  type RegisterConnectionMode,
} from "../../../replication/connection/connection-controller.ts";
import { modeChangedEvent } from "../../../replication/connection/mode-changed-event.ts";
import {
  connectionStatusText,
  operation917Button,
  operation917Label,
} from "../../../replication/connection/operation-917.ts";

const context = { saleOpen: false, offlineSupport: true };

describe("operation 917 Database connection status", () => {
  it("reads Disconnect while connected and Connect while disconnected", () => {
    const labels = Object.fromEntries(
      REGISTER_CONNECTION_MODES.map((mode) => [mode, operation917Label(mode)]),
    );
    expect(labels).toEqual({
      online: "Disconnect",
      offline: "Connect",
      "offline-manual": "Connect",
      probing: "Connect",
      unavailable: "Connect",
    });
  });

  it("carries the operation number, the name and the status text", () => {
    const button = operation917Button("online", context);
    expect(button).toMatchObject({
      operationId: 917,
      name: "Database connection status",
      label: "Disconnect",
      action: "disconnect",
      enabled: true,
      disabledReason: null,
      statusText: "Connected to the retail server.",
    });
    expect(operation917Button("offline-manual", context).statusText).toMatch(/press Connect/);
  });

  it("has a distinct status text for every mode", () => {
    const texts = new Set(REGISTER_CONNECTION_MODES.map(connectionStatusText));
    expect(texts.size).toBe(REGISTER_CONNECTION_MODES.length);
  });

  it("is disabled, with the reason, when pressing would be refused", () => {
    expect(operation917Button("offline", { ...context, saleOpen: true })).toMatchObject({
      label: "Connect",
      enabled: false,
      disabledReason: expect.stringMatching(/open sale/),
    });
    expect(operation917Button("online", { ...context, saleOpen: true }).enabled).toBe(true);
    expect(operation917Button("online", { ...context, offlineSupport: false })).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(/no offline support/),
    });
    expect(operation917Button("probing", context).enabled).toBe(false);
    expect(operation917Button("unavailable", { ...context, offlineSupport: false }).enabled).toBe(
      true,
    );
  });
});

describe("mode change audit events", () => {
  const change = (from: RegisterConnectionMode, to: RegisterConnectionMode) => ({
    type: "modeChanged" as const,
    from,
    to,
    reason: "reconnect" as const,
    at: 1,
  });

  it("records outcomes in the domain's online/offline terms", () => {
    expect(modeChangedEvent({ ...change("online", "offline"), reason: "timeout" })).toEqual({
      type: "ModeChanged",
      from: "online",
      to: "offline",
      reason: "timeout",
    });
    expect(modeChangedEvent(change("probing", "online"))).toMatchObject({
      from: "offline",
      to: "online",
    });
    expect(
      modeChangedEvent({ ...change("probing", "unavailable"), reason: "probe-failed" }),
    ).toMatchObject({ from: "offline", to: "offline", reason: "probe-failed" });
  });

  it("does not record the start of an attempt", () => {
    expect(modeChangedEvent(change("offline", "probing"))).toBeNull();
  });
});
