// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText is the rendered text these tests check, not the DOM property.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Product } from "../../domain/master-data.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";
import { ensureAppsBuilt } from "./fixtures/built-apps.ts";
import { chromiumAvailable, launchChromium } from "./fixtures/chromium.ts";

/**
 * The register app as a cashier uses it: the built app (service worker, IndexedDB offline
 * database) in real Chromium against the real retail server process, which the tests kill with
 * SIGKILL and start again on the same port.
 */
const SWITCH_TIMEOUT_MS = 1_500;
const RECONNECT_INTERVAL_MS = 4_000;
const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
const serverEnv = {
  POS_ADMIN_TOKEN: ADMIN_TOKEN,
  POS_DEMO_SWITCH_TIMEOUT_MS: String(SWITCH_TIMEOUT_MS),
  POS_DEMO_RECONNECT_INTERVAL_MS: String(RECONNECT_INTERVAL_MS),
  POS_DISTRIBUTION_INTERVAL_MS: "0",
};
/** `POS_UPDATE_SCREENSHOTS=1` writes the README's screenshots into docs/. */
const SCREENSHOTS = process.env.POS_UPDATE_SCREENSHOTS === "1" ? "docs" : "test-results/register";
const euros = new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" });

type JournalEntry = { readonly receiptNumber: string; readonly total: number };

async function journal(server: ServerProcess): Promise<readonly JournalEntry[]> {
  const response = await fetch(`${server.url}/api/journal`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { sales: JournalEntry[] }).sales;
}

describe.skipIf(!chromiumAvailable)("register app in Chromium against the retail server", () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let products: readonly Product[];
  const receipts: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const [, demo] = await Promise.all([
      ensureAppsBuilt(),
      createDemoStore(1, { pinIterations: 1_000 }),
    ]);
    products = demo.products;
    dataDir = await temporaryDirectory("e2e-register-server");
    server = await startServerProcess({ dataDir, env: serverEnv });
    browser = await launchChromium();
    context = await browser.newContext({
      locale: "en-US",
      viewport: { width: 1100, height: 720 },
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.kill("SIGKILL");
  });

  const product = (i: number): Product => products[i]!;
  const status = () => page.getByRole("status");
  const statusText = () => status().innerText();
  const barcodeInput = () => page.getByLabel("Barcode", { exact: true });
  const receipt = () => page.getByRole("article", { name: "Receipt" });

  /** Scans product `i` and waits until its line shows. */
  const scan = async (i: number) => {
    const item = product(i);
    await barcodeInput().fill(item.barcodes[0]!);
    await barcodeInput().press("Enter");
    await page.getByRole("cell", { name: item.name, exact: true }).first().waitFor();
  };
  /** Waits until every scan is saved in the register's offline database. */
  const scansSaved = () => page.locator('form.barcode[aria-busy="false"]').waitFor();

  const payCashAndComplete = async () => {
    await page.getByRole("button", { name: "Cash", exact: true }).click();
    await page.getByRole("button", { name: "Complete sale" }).click();
    await receipt().waitFor();
    const text = await receipt().innerText();
    const receiptNumber = /Receipt\s+(\S+)/.exec(text)?.[1];
    expect(receiptNumber).toBeDefined();
    receipts.push(receiptNumber!);
    return text;
  };

  /** Signs the cashier in once the store configuration is on the register. */
  const signIn = async () => {
    await expect
      .poll(() => page.locator(".status-header .identity strong").innerText(), { timeout: 20_000 })
      .not.toBe("");
    await page.getByLabel("Operator ID").fill("1001");
    await page.getByLabel("PIN", { exact: true }).fill(DEMO_OPERATOR_PINS["1001"]);
    await page.getByRole("button", { name: "Sign in" }).click();
  };

  /** Records every text the status header shows from now on. */
  const recordStatus = () =>
    page.evaluate(() => {
      const target = document.querySelector('[role="status"]');
      const seen: string[] = [];
      (window as unknown as { statusSeen: string[] }).statusSeen = seen;
      if (target === null) return;
      seen.push((target as HTMLElement).innerText);
      new MutationObserver(() => seen.push((target as HTMLElement).innerText)).observe(target, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
  const statusSeen = () =>
    page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);

  it("activates, signs in and sells two items for cash; the journal has the sale", async () => {
    const codeResponse = await fetch(`${server.url}/api/back-office/devices/R1/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(codeResponse.status).toBe(201);
    const { code } = (await codeResponse.json()) as { code: string };

    await page.goto(`${server.url}/?register=R1`);
    expect(await page.getByLabel("Register", { exact: true }).inputValue()).toBe("R1");
    await page.getByLabel("Activation code").fill(code);
    await page.getByRole("button", { name: "Activate" }).click();
    await signIn();
    await page.getByLabel("Opening float").fill("100");
    await page.getByRole("button", { name: "Open shift" }).click();
    await expect.poll(statusText).toMatch(/^Online\s+0 pending$/);

    await scan(0);
    await scan(1);
    const text = await payCashAndComplete();
    const total = product(0).price + product(1).price;
    expect(text).toContain(euros.format(total / 100));

    await expect
      .poll(async () => (await journal(server)).map((s) => [s.receiptNumber, s.total]))
      .toEqual([[receipts[0], total]]);
    await expect.poll(statusText).toMatch(/^Online\s+0 pending$/);
  });

  it("keeps selling through a SIGKILL of the server, switches offline within the switch timeout, and reloads offline with its data", async () => {
    await scan(2);
    await server.kill("SIGKILL");
    const killedAt = Date.now();
    await scan(3);
    expect(Date.now() - killedAt).toBeLessThan(SWITCH_TIMEOUT_MS);
    await expect.poll(statusText, { timeout: SWITCH_TIMEOUT_MS + 2_000 }).toMatch(/^Offline/);
    expect(Date.now() - killedAt).toBeLessThan(SWITCH_TIMEOUT_MS + 1_000);

    await scan(4);
    const offlineReceipt = await payCashAndComplete();
    for (const i of [2, 3, 4]) expect(offlineReceipt).toContain(product(i).name);
    expect(await statusText()).toMatch(/^Offline\s+1 pending$/);

    // A new sale is open when the page reloads: it comes back with the completed one pending.
    await scan(5);
    await scansSaved();
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/^Offline\s+1 pending$/);
    await signIn();
    await page
      .getByRole("cell", { name: product(5).name, exact: true })
      .first()
      .waitFor();
    expect(await statusText()).toMatch(/^Offline\s+1 pending$/);
  });

  it("reconnects only at the start of a transaction after the reconnect interval; the journal has every sale once", async () => {
    server = await startServerProcess({ dataDir, port: server.port, env: serverEnv });
    const restartedAt = Date.now();
    await recordStatus();

    // The sale that was open across the reload goes on offline, however long it takes.
    await new Promise((done) =>
      setTimeout(done, Math.max(0, RECONNECT_INTERVAL_MS + 300 - (Date.now() - restartedAt))),
    );
    await scan(6);
    await page.screenshot({ path: join(SCREENSHOTS, "register-sale.png") });
    await payCashAndComplete();
    expect(await statusText()).toMatch(/^Offline\s+2 pending$/);
    expect((await statusSeen()).filter((text) => !/^Offline\s+\d+ pending$/.test(text))).toEqual(
      [],
    );
    expect(await journal(server)).toHaveLength(1);

    // The next transaction start probes, goes online and uploads everything pending.
    await scan(7);
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/^Online\s+0 pending$/);
    await payCashAndComplete();
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/^Online\s+0 pending$/);

    await expect
      .poll(async () => (await journal(server)).map((s) => s.receiptNumber).sort(), {
        timeout: 10_000,
      })
      .toEqual([...receipts].sort());
    expect(new Set(receipts).size).toBe(4);
  });

  it("Disconnect (917) goes offline by hand and stays offline across transactions until Connect", async () => {
    const op917 = page.getByTitle("Database connection status (917)");
    expect(await op917.innerText()).toBe("Disconnect");
    await op917.click();
    await expect.poll(statusText).toMatch(/^Offline \(manual\)\s+0 pending$/);
    expect(await op917.innerText()).toBe("Connect");

    await scan(8);
    await payCashAndComplete();
    await new Promise((done) => setTimeout(done, RECONNECT_INTERVAL_MS + 300));
    await scan(9);
    expect(await statusText()).toMatch(/^Offline \(manual\)\s+1 pending$/);
    await payCashAndComplete();
    expect(await statusText()).toMatch(/^Offline \(manual\)\s+2 pending$/);

    await status().getByRole("button").click();
    const dialog = page.getByRole("dialog", { name: "Connection status" });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain("Offline (manual)");
    await dialog.screenshot({ path: join(SCREENSHOTS, "connection-status.png") });
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });

    await op917.click();
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/^Online\s+0 pending$/);
    expect(await op917.innerText()).toBe("Disconnect");
    await expect
      .poll(async () => (await journal(server)).map((s) => s.receiptNumber).sort(), {
        timeout: 10_000,
      })
      .toEqual([...receipts].sort());
  });
});
