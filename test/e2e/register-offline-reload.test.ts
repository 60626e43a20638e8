// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText is the rendered text these tests check, not the DOM property.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "./fixtures/chromium.ts";
import { type RunningStaticServer, serveStatic } from "./fixtures/static-server.ts";

/**
 * The service worker serves the built register shell when the server is gone: a reload with
 * nothing listening still starts the register app's own code (which then opens its offline
 * database).
 */
describe.skipIf(!chromiumAvailable)("register app reload while the server is down", () => {
  const outDir = mkdtempSync(join(tmpdir(), "pos-offline-reload-"));
  let server: RunningStaticServer | undefined;
  let browser: Browser;

  beforeAll(async () => {
    await build({
      configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)),
      logLevel: "error",
      build: { outDir, emptyOutDir: true },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("starts the register from the service worker's cache", async () => {
    server = await serveStatic(outDir);
    const url = server.url;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      if (registration.active?.state !== "activated") {
        await new Promise<void>((resolve) =>
          registration.active?.addEventListener("statechange", () => resolve()),
        );
      }
    });
    const started = await page.locator("#app").innerText();
    expect(started).not.toContain("Starting the register");

    await server.close();
    server = undefined;
    const failed = await fetch(url).then(
      () => false,
      () => true,
    );
    expect(failed).toBe(true);

    await page.reload();
    await expect
      .poll(() => page.locator("#app").innerText())
      .not.toContain("Starting the register");
    expect(await page.title()).toBe("Register");
    expect((await page.locator("#app").innerText()).length).toBeGreaterThan(0);
    await context.close();
  });
});
