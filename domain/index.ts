/**
 * The sale domain: pure, deterministic, no I/O. Layers above import from here.
 */
export * from "./business-day.ts";
export * from "./channel-projection.ts";
export * from "./command-context.ts";
export * from "./discount-commands.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./fold.ts";
export * from "./master-data.ts";
export * from "./mode-change.ts";
export * from "./money.ts";
export * from "./payment-commands.ts";
export * from "./receipt-number.ts";
export * from "./register-command.ts";
export * from "./register-state.ts";
export * from "./return-commands.ts";
export * from "./sale-commands.ts";
export * from "./sale-guards.ts";
export * from "./sale-pricing.ts";
export * from "./shift-commands.ts";
export * from "./tax.ts";
