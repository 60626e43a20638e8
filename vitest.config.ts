import { defineConfig } from "vitest/config";

/**
 * Test projects: unit and property tests run in Node with fake timers where needed;
 * integration and e2e tests start real processes and sockets, so they get longer timeouts
 * and run one file at a time to stay within two cores.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/property/**/*.test.ts"],
          environment: "node",
          // A soak (POS_PROPERTY_RUNS=10000) gives each property time in proportion to its runs.
          testTimeout: 60_000 * Math.max(1, Number(process.env.POS_PROPERTY_RUNS ?? 100) / 100),
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
