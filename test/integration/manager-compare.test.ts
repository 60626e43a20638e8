import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as Automerge from "@automerge/automerge";
import { type PeerId, Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activateNodeRegister,
  type DeviceIdentity,
  type NodeRegister,
  startNodeRegister,
} from "../../replication/register/node-register.ts";
import { shutdownRepo } from "../../replication/storage/shutdown-repo.ts";
import { addCompareCommand } from "../../src/cli/compare-command.ts";
import { runPosCommand } from "../../src/cli/pos-command.ts";
import { createDemoStore, DEMO_OPERATOR_PINS } from "../../src/server/demo-store.ts";
import type {
  EndOfDay,
  MissingEvents,
  RegisterComparison,
  RegisterRow,
} from "../../src/server/manager/replica-inspector.ts";
import { until as waitUntil } from "../support/registers.ts";
import {
  type ServerProcess,
  startServerProcess,
  temporaryDirectory,
} from "../support/server-process.ts";

const ADMIN_TOKEN = "manager-admin-token-0123456789abcdef";
const serverEnv = {
  POS_ADMIN_TOKEN: ADMIN_TOKEN,
  POS_DEMO_SWITCH_TIMEOUT_MS: "1000",
  POS_DEMO_RECONNECT_INTERVAL_MS: "60000",
  POS_DISTRIBUTION_INTERVAL_MS: "0",
};

/** Polls every 50 ms: the server is asked over HTTP each time. */
const until = <T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> => waitUntil(what, probe, timeoutMs, 50);

describe("manager comparison against a real server with real registers", () => {
  let server: ServerProcess;
  let dataDir: string;
  const registers: NodeRegister[] = [];
  const identities = new Map<string, DeviceIdentity>();
  const demo = createDemoStore(1, { pinIterations: 1_000 });

  async function api<T>(path: string, token = ADMIN_TOKEN): Promise<T> {
    const response = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  async function rows(): Promise<Map<string, RegisterRow>> {
    const body = await api<{ registers: RegisterRow[] }>("/api/manager/registers");
    return new Map(body.registers.map((row) => [row.registerId, row]));
  }

  async function start(registerId: string): Promise<NodeRegister> {
    const response = await fetch(`${server.url}/api/back-office/devices/${registerId}/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { code } = (await response.json()) as { code: string };
    const registerDir = await temporaryDirectory(`manager-${registerId}`);
    const identity = await activateNodeRegister({
      serverUrl: server.url,
      dataDir: registerDir,
      registerId,
      code,
    });
    identities.set(registerId, identity);
    const register = await startNodeRegister({
      serverUrl: server.url,
      dataDir: registerDir,
      identity,
    });
    registers.push(register);
    await until(`${registerId} provisioned`, () => register.session.view().provisioning.ready);
    expect((await register.session.signIn("1001", DEMO_OPERATOR_PINS["1001"])).ok).toBe(true);
    return register;
  }

  async function sell(register: NodeRegister, items: readonly number[]): Promise<void> {
    const products = (await demo).products;
    for (const item of items) {
      expect((await register.session.scan(products[item]!.barcodes[0]!)).ok).toBe(true);
    }
    expect((await register.session.pay("cash", 1_000_000)).ok).toBe(true);
    expect((await register.session.completeSale()).ok).toBe(true);
  }

  beforeAll(async () => {
    dataDir = await temporaryDirectory("manager-server");
    server = await startServerProcess({ dataDir, env: serverEnv });
  });

  afterAll(async () => {
    for (const register of registers) await register.close().catch(() => undefined);
    await server?.kill("SIGKILL");
  });

  it("refuses without a manager session or the admin token, and signs managers in", async () => {
    expect((await fetch(`${server.url}/api/manager/registers`)).status).toBe(401);
    const signIn = (body: unknown) =>
      fetch(`${server.url}/api/manager/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await signIn({ operatorId: "9001", pin: "0000" })).status).toBe(401);
    expect((await signIn({ operatorId: "1001", pin: DEMO_OPERATOR_PINS["1001"] })).status).toBe(
      403,
    );
    const ok = await signIn({ operatorId: "9001", pin: DEMO_OPERATOR_PINS["9001"] });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    const body = await api<{ registers: RegisterRow[] }>("/api/manager/registers", token);
    expect(body.registers.map((row) => row.registerId)).toEqual(["R1", "R2", "R3"]);
    expect(
      (
        await fetch(`${server.url}/api/manager/registers`, {
          headers: { authorization: "Bearer not-a-session" },
        })
      ).status,
    ).toBe(401);
  });

  it("shows one register in sync, one with pending offline sales, one never provisioned", async () => {
    const r1 = await start("R1");
    const r2 = await start("R2");
    await sell(r1, [0, 1]);
    await sell(r2, [2]);
    await until("both in sync", async () => {
      const table = await rows();
      return table.get("R1")?.badge === "in-sync" &&
        table.get("R1")?.posted.sales === 1 &&
        table.get("R2")?.badge === "in-sync" &&
        table.get("R2")?.posted.sales === 1
        ? table
        : false;
    });

    // R2 goes offline by hand (917 Disconnect) and sells two sales the server cannot see.
    expect((await r2.session.operation917()).ok).toBe(true);
    expect(r2.session.mode).toBe("offline-manual");
    await sell(r2, [3]);
    await sell(r2, [4, 5]);
    expect(r2.session.view().connection.pendingUploadSales).toBe(2);

    // Its replica status (mode, heads) reaches the server over a second connection with the
    // register's own token, while its sales log changes stay behind: the server knows the
    // register holds changes it lacks.
    const statusHandle = await r2.repo.find(
      Object.keys(r2.repo.handles).find((id) => {
        const doc = r2.repo.handles[id as never]?.doc() as { kind?: unknown } | undefined;
        return String(doc?.kind) === "replica-status";
      }) as never,
    );
    const courier = new Repo({
      peerId: `register/R2/${randomUUID()}` as PeerId,
      network: [
        new WebSocketClientAdapter(
          `${server.url.replace(/^http/, "ws")}/sync?token=${encodeURIComponent(identities.get("R2")!.token)}`,
        ),
      ],
      sharePolicy: async () => true,
    });
    const copy = courier.import(Automerge.save(statusHandle.doc() as Automerge.Doc<unknown>), {
      docId: statusHandle.documentId,
    });
    await copy.whenReady(["ready"]);

    const table = await until("R2 ahead", async () => {
      const current = await rows();
      return current.get("R2")?.badge === "ahead" ? current : false;
    });
    await shutdownRepo(courier);
    const r2Row = table.get("R2")!;
    expect(r2Row.mode).toBe("offline");
    expect(r2Row.modeChanges.at(-1)).toMatchObject({
      from: "online",
      to: "offline",
      reason: "manual",
    });
    expect(r2Row.pending.headsServerLacks).toBeGreaterThan(0);
    expect(r2Row.posted.sales).toBe(1);
    expect(table.get("R1")).toMatchObject({ badge: "in-sync", mode: "online" });
    expect(table.get("R3")).toMatchObject({
      badge: "never-provisioned",
      mode: null,
      lastSeenAt: null,
      appliedPackageSeq: null,
    });
    expect(table.get("R1")?.appliedPackageSeq).toBe(table.get("R1")?.latestPackageSeq);

    const endOfDay = await api<EndOfDay>("/api/manager/end-of-day");
    expect(endOfDay.clean).toBe(false);
    expect(endOfDay.blockers.map((blocker) => blocker.registerId)).toEqual(["R2"]);

    // Compare: R1 document by document, the same on both sides.
    const r1Compare = await api<RegisterComparison>("/api/manager/compare/R1");
    const r1Day = r1.session.salesLogKey.businessDay;
    const r1Log = r1Compare.documents.find(
      (doc) => doc.kind === "sales-log" && doc.businessDay === r1Day,
    );
    expect(r1Log).toMatchObject({ state: "same", registerOnlyHeads: [], serverOnlyChanges: 0 });
    expect(r1Compare.documents.map((doc) => doc.kind)).toEqual(
      expect.arrayContaining([
        "store-configuration",
        "master-data-log",
        "sales-log",
        "posting-record",
        "replica-status",
      ]),
    );
    const r1Summary = r1Compare.days.find((day) => day.businessDay === r1Day)!;
    const r1Sale = r1.session.state.lastCompletedSale!;
    expect(r1Summary.register).toMatchObject({ salesCompleted: 1, total: r1Sale.total });
    expect(r1Summary.server).toMatchObject({ salesCompleted: 1, total: r1Sale.total });
    expect(r1Summary.posted).toMatchObject({ salesCompleted: 1, receiptGaps: [] });
    expect(r1Summary.server.firstReceipt).toBe(r1Sale.receiptNumber);

    // R2: its sales log is register-ahead; the register's side is unknown until upload.
    const r2Compare = await api<RegisterComparison>("/api/manager/compare/R2");
    const r2Day = r2.session.salesLogKey.businessDay;
    const r2Log = r2Compare.documents.find(
      (doc) => doc.kind === "sales-log" && doc.businessDay === r2Day,
    )!;
    expect(r2Log.state).toBe("register-ahead");
    expect(r2Log.registerOnlyHeads.length).toBeGreaterThan(0);
    const r2Summary = r2Compare.days.find((day) => day.businessDay === r2Day)!;
    expect(r2Summary.register).toBeNull();
    expect(r2Summary.server.salesCompleted).toBe(1);
    const missing = await api<MissingEvents>(`/api/manager/compare/R2/missing?day=${r2Day}`);
    expect(missing.notReceivedHeads).toEqual(r2Log.registerOnlyHeads);
    expect(missing.notPosted).toEqual([]);

    // pos compare --json prints what the endpoint answers; the table names the badge.
    const printed: string[] = [];
    const deps = {
      fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, init),
      readText: (path: string) => readFile(path, "utf8"),
      print: (line: string) => printed.push(line),
      printError: (line: string) => printed.push(`error: ${line}`),
    };
    // The server runs with POS_ADMIN_TOKEN; the CLI reads the token from a data directory.
    const cliDir = await temporaryDirectory("manager-cli");
    await writeFile(join(cliDir, "admin-token"), `${ADMIN_TOKEN}\n`);
    const argv = ["--url", server.url, "--data-dir", cliDir, "compare", "--register", "R2"];
    expect(
      await runPosCommand([...argv, "--json"], deps, [addCompareCommand]),
      printed.join("\n"),
    ).toBe(0);
    const json = JSON.parse(printed.join("\n")) as RegisterComparison;
    expect(json.register).toMatchObject({ registerId: "R2", badge: "ahead" });
    expect(json.documents.find((doc) => doc.documentId === r2Log.documentId)?.state).toBe(
      "register-ahead",
    );
    printed.length = 0;
    expect(await runPosCommand(argv, deps, [addCompareCommand])).toBe(0);
    expect(printed[0]).toContain("Register R2");
    expect(printed[0]).toContain("ahead");
    expect(printed.some((line) => line.includes("register-ahead"))).toBe(true);

    // 917 Connect: the offline sales upload and R2 is in sync again; the day can close.
    expect((await r2.session.operation917()).ok).toBe(true);
    await until("R2 uploaded", async () => {
      const current = await rows();
      return current.get("R2")?.badge === "in-sync" && current.get("R2")?.posted.sales === 3;
    });
    await until("clean end of day", async () => {
      const eod = await api<EndOfDay>("/api/manager/end-of-day");
      return eod.clean;
    });
    const after = await api<RegisterComparison>("/api/manager/compare/R2");
    const afterDay = after.days.find((day) => day.businessDay === r2Day)!;
    expect(afterDay.register?.salesCompleted).toBe(3);
    expect(afterDay.posted.salesCompleted).toBe(3);
    expect(afterDay.server.receiptGaps).toEqual([]);
  });
});
