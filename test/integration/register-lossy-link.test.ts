import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeRegister, startNodeRegister } from "../../replication/register/node-register.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import { seededRandom } from "../../src/simulator/seeded-random.ts";
import { activateRegister, until } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "integration-admin-token-0123456789";
const SEED = Number(process.env.POS_LOSSY_SEED ?? 3);

const serverEnv = {
  POS_ADMIN_TOKEN: ADMIN_TOKEN,
  // Long, so the register stays online through a flaky spell and keeps exchanging posting record
  // changes with the server over the lossy link, rather than switching offline at the first loss.
  POS_DEMO_SWITCH_TIMEOUT_MS: "60000",
  POS_DEMO_RECONNECT_INTERVAL_MS: "1000",
  POS_DISTRIBUTION_INTERVAL_MS: "0",
};

async function journalReceipts(server: ServerProcess): Promise<readonly string[]> {
  const response = await fetch(`${server.url}/api/journal`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { sales: { receiptNumber: string }[] };
  return body.sales.map((sale) => sale.receiptNumber);
}

/**
 * A register whose WebSocket link loses messages at random for a while (as the partition
 * simulator's `drop` does) must, once the link is lossless and restarted by operation 917, learn
 * from the server's posting record that every sale was accepted. A posting record change the
 * link lost must be sent again after the reconnect, not taken as delivered forever.
 */
describe("a register whose link loses messages for a while", () => {
  let server: ServerProcess;
  let register: NodeRegister;
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  beforeAll(async () => {
    const dataDir = await temporaryDirectory("lossy-server");
    const registerDir = await temporaryDirectory("lossy-register");
    server = await startServerProcess({ dataDir, env: serverEnv });
    const { identity } = await activateRegister(server, "R1", ADMIN_TOKEN, registerDir);
    register = await startNodeRegister({ serverUrl: server.url, dataDir: registerDir, identity });
  });

  afterAll(async () => {
    await register?.close();
    await server?.kill("SIGKILL");
  });

  it("learns that the server accepted every sale once the link is lossless again", async () => {
    const session = register.session;
    await until("provisioning", () => session.view().provisioning.ready);
    expect((await session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
    const products = (await demo).products;
    const drops = seededRandom(SEED, "drops");
    const picks = seededRandom(SEED, "products");

    const receipts: string[] = [];
    // Three flaky spells, each ended by a restart of the link: the later ones run on a register
    // whose server connection was already restarted once.
    for (let spell = 1; spell <= 3; spell++) {
      register.link.drop(0.25, () => drops.next());
      for (let sale = 0; sale < 15; sale++) {
        for (let line = 0; line < 2; line++) {
          const product = products[picks.int(0, products.length - 1)]!;
          await session.scan(product.barcodes[0]!);
        }
        await session.pay("cash", 1_000_000);
        expect((await session.completeSale()).ok).toBe(true);
        receipts.push(session.state.lastCompletedSale!.receiptNumber);
        await new Promise((done) => setTimeout(done, 100));
      }
      register.link.drop(0);

      // As a cashier would after a flaky spell: Disconnect, then Connect (operation 917), which
      // restarts the WebSocket link. The server must then send again what the lossy link lost.
      if (session.mode === "online") expect((await session.operation917()).ok).toBe(true);
      expect((await session.operation917()).ok).toBe(true);
      expect(session.mode).toBe("online");
      await until(
        `every sale of spell ${spell} confirmed by the server's posting record`,
        () => {
          const { pendingUploadSales, pendingUploadEvents } = session.view().connection;
          return pendingUploadSales === 0 && pendingUploadEvents === 0;
        },
        10_000,
      );
    }
    const journalled = await journalReceipts(server);
    expect([...journalled].sort()).toEqual([...receipts].sort());
  }, 30_000);
});
