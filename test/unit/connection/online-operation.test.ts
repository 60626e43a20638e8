import { describe, expect, it } from "vitest";
import { REGISTER_CONNECTION_MODES } from "../../../replication/connection/connection-controller.ts";
import {
  assertOnlineOperationAllowed,
  checkOnlineOperation,
  ONLINE_OPERATION_TEXT,
  ONLINE_OPERATIONS,
  OnlineOperationUnavailableError,
  onlineOperationForTender,
} from "../../../replication/connection/online-operation.ts";

describe("online-only operations", () => {
  it("lists gift card, customer account, other stores' stock, foreign returns, customer edit", () => {
    expect(ONLINE_OPERATIONS).toEqual([
      "gift-card-payment",
      "customer-account-payment",
      "other-store-stock",
      "return-without-local-receipt",
      "customer-edit",
    ]);
  });

  it("are allowed while online", () => {
    for (const operation of ONLINE_OPERATIONS) {
      expect(() => assertOnlineOperationAllowed("online", operation)).not.toThrow();
      expect(checkOnlineOperation("online", operation)).toBeNull();
    }
  });

  it("are refused in every other mode with a typed error naming the operation and why", () => {
    for (const mode of REGISTER_CONNECTION_MODES.filter((m) => m !== "online")) {
      for (const operation of ONLINE_OPERATIONS) {
        let caught: unknown;
        try {
          assertOnlineOperationAllowed(mode, operation);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(OnlineOperationUnavailableError);
        const error = caught as OnlineOperationUnavailableError;
        expect(error.code).toBe("ONLINE_OPERATION_UNAVAILABLE");
        expect(error.operation).toBe(operation);
        expect(error.mode).toBe(mode);
        expect(error.message).toContain(ONLINE_OPERATION_TEXT[operation].unavailableOffline);
        expect(error.toJSON()).toEqual({
          name: "OnlineOperationUnavailableError",
          code: "ONLINE_OPERATION_UNAVAILABLE",
          message: error.message,
        });
      }
    }
  });

  it("says for gift cards that the live balance is needed", () => {
    expect(checkOnlineOperation("offline", "gift-card-payment")?.message).toMatch(
      /^Gift card payments need the server's live balance and are not available offline\./,
    );
    expect(checkOnlineOperation("offline-manual", "gift-card-payment")?.message).toMatch(
      /press Connect \(operation 917\)/,
    );
  });

  it("maps online-only tenders to their operation", () => {
    expect(onlineOperationForTender("gift-card")).toBe("gift-card-payment");
    expect(onlineOperationForTender("customer-account")).toBe("customer-account-payment");
    expect(onlineOperationForTender("cash")).toBeNull();
    expect(onlineOperationForTender("card")).toBeNull();
  });
});
