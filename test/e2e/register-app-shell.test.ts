// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText is the rendered text these tests check, not the DOM property.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./fixtures/chromium.ts";
import { type RunningDevServer, startViteDevServer } from "./fixtures/vite-dev-server.ts";

/**
 * The register app's screens in real Chromium at 1280x800, driven by their accessible names.
 * The app runs against an in-memory fake session (test/e2e/fixtures/fake-register.ts): this
 * checks the UI shell, not replication or the offline switch.
 */
const SCREENSHOTS = "test-results/register-app";

describe.skipIf(!chromiumAvailable)("register app shell (in-memory session)", () => {
  let server: RunningDevServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startViteDevServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (query = "") => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}test/e2e/fixtures/register-shell.html${query}`);
  };
  const text = (selector: Parameters<Page["getByRole"]>[0], name?: string) =>
    page.getByRole(selector, name === undefined ? {} : { name, exact: true }).innerText();
  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });

  const signInAndOpenShift = async () => {
    await page.getByLabel("Activation code").fill("ACT-4821");
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByLabel("Operator ID").fill("1001");
    await page.getByLabel("PIN", { exact: true }).fill("1234");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("progressbar", { name: "Master data download" }).waitFor();
    await page.evaluate(() => window.fakeRegister.finishProvisioning());
    await page.getByLabel("Opening float").fill("150");
    await page.getByRole("button", { name: "Open shift" }).click();
  };

  it("activates, signs in, sells with a split tender offline and shows a printable receipt", async () => {
    await open();
    await page.getByLabel("Activation code").fill("WRONG");
    await page.getByRole("button", { name: "Activate" }).click();
    expect(await text("alert")).toContain("activation code is not valid");
    await shot("01-activation");

    await page.getByLabel("Activation code").fill("ACT-4821");
    await page.getByRole("button", { name: "Activate" }).click();
    await page.getByLabel("Operator ID").fill("1001");
    await page.getByLabel("PIN", { exact: true }).fill("0000");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await text("alert")).toContain("Operator ID or PIN is wrong");
    await page.getByLabel("PIN", { exact: true }).fill("1234");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("progressbar", { name: "Master data download" }).waitFor();
    await shot("02-provisioning");
    await page.evaluate(() => window.fakeRegister.finishProvisioning());

    await page.getByLabel("Opening float").fill("150");
    await page.getByRole("button", { name: "Open shift" }).click();

    const status = page.getByRole("status");
    expect(await status.innerText()).toMatch(/^Online\s+0 pending$/);

    const barcode = page.getByLabel("Barcode", { exact: true });
    await expect.poll(() => barcode.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("4006381333931\n");
    await page.keyboard.type("5000112637922\n");
    await page.getByRole("cell", { name: "Oat milk 1 l", exact: true }).waitFor();
    expect(await barcode.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await barcode.inputValue()).toBe("");

    await page.getByLabel("Quantity for Coffee beans 500 g").fill("2");
    await page.getByLabel("Quantity for Coffee beans 500 g").press("Enter");
    const totals = page.getByLabel("Totals");
    await expect.poll(() => totals.innerText()).toContain("€20.47");

    await page.getByRole("button", { name: "Void line Oat milk 1 l" }).click();
    await expect.poll(() => totals.innerText()).toContain("€17.98");

    await page.getByLabel("Product search").fill("mug");
    await page.getByRole("button", { name: "Add Enamel mug" }).click();
    await expect.poll(() => totals.innerText()).toContain("€30.48");

    const op917 = page.getByTitle("Database connection status (917)");
    expect(await op917.innerText()).toBe("Disconnect");
    await op917.click();
    await expect.poll(() => status.innerText()).toMatch(/^Offline \(manual\)\s+0 pending$/);
    expect(await op917.innerText()).toBe("Connect");
    expect(await page.getByRole("button", { name: "Gift card" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Other stores' stock" }).isDisabled()).toBe(true);
    expect(
      await page.getByText("Gift card and Customer account: Needs the store server").isVisible(),
    ).toBe(true);
    await shot("03-sale-offline-manual");

    await page.getByLabel("Amount", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Cash", exact: true }).click();
    await expect.poll(() => totals.innerText()).toContain("€20.48");
    await page.getByRole("button", { name: "Card", exact: true }).click();
    await page.getByRole("button", { name: "Complete sale" }).click();

    const receipt = page.getByRole("article", { name: "Receipt" });
    await receipt.waitFor();
    expect(await receipt.innerText()).toContain("Receipt S1-R1-1");
    await expect.poll(() => status.innerText()).toMatch(/^Offline \(manual\)\s+1 pending$/);
    expect(await barcode.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot("04-receipt");

    await page.emulateMedia({ media: "print" });
    expect(await receipt.isVisible()).toBe(true);
    expect(await status.isVisible()).toBe(false);
    expect(await barcode.isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });

    await status.getByRole("button").click();
    const dialog = page.getByRole("dialog", { name: "Connection status" });
    await dialog.waitFor();
    const facts = await dialog.innerText();
    expect(facts).toContain("Offline (manual)");
    expect(facts).toContain("1 sales");
    expect(facts).toContain("refused persistent storage");
    await shot("05-connection-status");
    await dialog.getByRole("button", { name: "Sync now" }).click();
    expect(await text("alert")).toContain("offline");
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });

    await op917.click();
    await expect.poll(() => status.innerText()).toMatch(/^Online\s+0 pending$/);
    await page.close();
  });

  it("shows discounts, returns, X report and the developer panel's partition switch", async () => {
    await open("?dev=1");
    await signInAndOpenShift();
    await page.getByLabel("Barcode", { exact: true }).fill("8712100849084");
    await page.getByLabel("Barcode", { exact: true }).press("Enter");

    await page.getByRole("button", { name: "Discount" }).click();
    await page.getByLabel("Percent").fill("20");
    await page.getByRole("button", { name: "Apply discount" }).click();
    expect(await text("alert")).toContain("need a manager");
    await page.getByLabel("Manager ID").fill("9001");
    await page.getByLabel("Manager PIN").fill("9999");
    await page.getByRole("button", { name: "Apply discount" }).click();
    await expect.poll(() => page.getByLabel("Totals").innerText()).toContain("€10.00");
    expect(await page.getByRole("alert").count()).toBe(0);

    await page.getByRole("button", { name: "Return", exact: true }).click();
    await page.getByLabel("Original receipt number").fill("S2-R4-17");
    await page.evaluate(() => window.fakeRegister.setMode("offline"));
    expect(await page.getByRole("button", { name: "Add return line" }).isDisabled()).toBe(true);
    expect(await page.getByText("Returns of receipts from other registers").isVisible()).toBe(true);
    await page.getByLabel("Original receipt number").fill("");
    await page.getByLabel("Returned product").fill("milk");
    await page.getByRole("button", { name: "Return Oat milk 1 l" }).click();
    await page.getByLabel("Manager ID").fill("9001");
    await page.getByLabel("Manager PIN").fill("9999");
    await page.getByRole("button", { name: "Add return line" }).click();
    await page.getByRole("cell", { name: /Oat milk 1 l\s*Return/ }).waitFor();

    await page.getByRole("button", { name: "X report" }).click();
    await page.getByRole("heading", { name: "X report" }).waitFor();
    await expect.poll(() => page.getByText("Opening float").isVisible()).toBe(true);
    await shot("06-x-report");

    await page.evaluate(() => window.fakeRegister.setMode("online"));
    await page.getByRole("button", { name: "Cut network" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toMatch(/^Offline\s+0 pending$/);
    await page.getByRole("button", { name: "Heal network" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toMatch(/^Online/);

    await page.getByRole("button", { name: "Lock" }).click();
    await page.getByRole("heading", { name: "Register locked" }).waitFor();
    await page.close();
  });
});
