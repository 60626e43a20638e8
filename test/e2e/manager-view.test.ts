import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";
import { chromiumAvailable, launchChromium } from "./fixtures/chromium.ts";

const built = existsSync(resolve(import.meta.dirname, "../../dist/manager/index.html"));

describe.skipIf(!chromiumAvailable || !built)("manager view in Chromium", () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({
      dataDir: await temporaryDirectory("manager-view"),
      env: {
        POS_ADMIN_TOKEN: "manager-view-admin-token-0123456789",
        POS_DISTRIBUTION_INTERVAL_MS: "0",
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.kill("SIGKILL");
  });

  it("signs a manager in and shows the registers with their badges and the compare panel", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/manager/`);
    await page.getByLabel("Operator ID").fill("9001");
    await page.getByLabel("PIN").fill("0000");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/not right/);
    await page.getByLabel("PIN").fill(DEMO_OPERATOR_PINS["9001"]);
    await page.getByRole("button", { name: "Sign in" }).click();
    const r3 = page.locator('tr[data-register="R3"]');
    await r3.waitFor({ timeout: 10_000 });
    expect(await r3.locator(".badge").textContent()).toBe("never-provisioned");
    await r3.getByRole("button", { name: "Compare" }).click();
    await page.getByRole("heading", { name: "Compare R3" }).waitFor({ timeout: 10_000 });
    await page.getByText("store-configuration").first().waitFor({ timeout: 10_000 });
    expect(await page.getByText("No register blocks a clean end of day.").count()).toBe(1);
    await page.close();
  });
});
