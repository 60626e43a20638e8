import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { activateNodeRegister } from "../../replication/register/node-register.ts";
import type { ActionResult } from "../../replication/register/register-commands.ts";
import {
  createDemoStore,
  DEMO_OPERATOR_PINS,
  demoRegisterIds,
  MAX_DEMO_EXTRA_REGISTERS,
} from "../server/demo-store.ts";
import { ADMIN_TOKEN_FILE } from "../server/main.ts";
import { checkJournal, type JournalRow, type MadeSale } from "./journal-check.ts";
import { checkScheduleRegisters, type ScheduleStep } from "./partition-schedule.ts";
import { seededRandom } from "./seeded-random.ts";
import { type ServerProcess, startServerProcess, temporaryDirectory } from "./server-process.ts";
import { SimulatedRegister } from "./simulated-register.ts";
import { type PlannedSale, planSimulation } from "./simulation-plan.ts";
import type { RegisterReport, SimulationReport } from "./simulation-report.ts";

/** The demo store's registers, in the order the simulator uses them. */
/** Registers a simulation can run: the demo store's R1-R3 and its extra registers. */
export const SIMULATED_REGISTER_IDS: readonly string[] = demoRegisterIds(MAX_DEMO_EXTRA_REGISTERS);

/** Options of {@link runSimulation}; see `pos simulate --help` for what each means. */
export type SimulationOptions = {
  readonly registers: number;
  readonly sales: number;
  readonly durationMs: number;
  readonly seed: number;
  /** A schedule to follow; without it a random one is made from the seed. */
  readonly schedule?: readonly ScheduleStep[];
  readonly convergeTimeoutMs: number;
  /** Price edits with a distribution run each, spread over the duration. Default 2. */
  readonly priceChanges?: number;
  /** The demo offline profile's switch timeout on the simulated server. Default 500 ms. */
  readonly switchTimeoutMs?: number;
  /** The demo offline profile's reconnect interval on the simulated server. Default 1,000 ms. */
  readonly reconnectIntervalMs?: number;
  /** Where the server's and registers' data directories go; a new temporary one by default. */
  readonly workDir?: string;
  /** Keep the temporary data directories (their path is in the report) instead of removing them. */
  readonly keepData?: boolean;
  readonly progress?: SimulationProgress;
};

/** What the simulation tells whoever watches it while it runs. */
export type SimulationProgress = {
  phase(name: "starting" | "running" | "converging" | "checking" | "stopping"): void;
  /** A schedule step or a distribution run was applied. */
  step(atMs: number, description: string): void;
  sale(done: number, total: number): void;
};

/** The simulation could not run (not: it ran and found a problem; that is in the report). */
export class SimulationError extends Error {
  override readonly name = "SimulationError";
  readonly code = "POS_SIM_RUN";
}

const CASHIER = { operatorId: "1001", pin: DEMO_OPERATOR_PINS["1001"] } as const;
const RETRYABLE = new Set(["NOT_PROVISIONED", "NOT_CONFIGURED"]);
const silent: SimulationProgress = { phase() {}, step() {}, sale() {} };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, Math.max(0, ms)));

/**
 * Runs `pos simulate`: a real retail server process with a temporary data directory, `registers`
 * headless registers in this process (each with its own storage), random sales and distribution
 * runs while the partition schedule is applied; then heals everything, makes every register
 * reconnect, waits for convergence and checks the server journal against the sales it made.
 *
 * The plan (schedule, sales, price edits) depends only on the seed and options; timings are real.
 *
 * @example
 * const report = await runSimulation({ registers: 2, sales: 10, durationMs: 5_000, seed: 7, convergeTimeoutMs: 30_000 });
 * report.ok; // true when nothing was lost or duplicated and the replicas converged
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const started = Date.now();
  const progress = options.progress ?? silent;
  if (
    !Number.isInteger(options.registers) ||
    options.registers < 1 ||
    options.registers > SIMULATED_REGISTER_IDS.length
  ) {
    throw new SimulationError(
      `Use --registers 1 to ${SIMULATED_REGISTER_IDS.length}: the demo store is created with that many registers at most.`,
    );
  }
  const registerIds = SIMULATED_REGISTER_IDS.slice(0, options.registers);
  if (options.schedule) checkScheduleRegisters(options.schedule, registerIds);
  progress.phase("starting");

  const demo = await createDemoStore(1, { pinIterations: 1_000 });
  const plan = planSimulation({
    seed: options.seed,
    registerIds,
    durationMs: options.durationMs,
    salesCount: options.sales,
    priceChangeCount: options.priceChanges ?? 2,
    products: demo.products.flatMap((product) => {
      const barcode = product.barcodes[0];
      return barcode && product.active !== false
        ? [{ id: product.id, barcode, price: product.price }]
        : [];
    }),
    ...(options.schedule ? { schedule: options.schedule } : {}),
  });

  const workDir = options.workDir ?? (await temporaryDirectory("simulate"));
  // The server keeps its own admin token in its data directory, so a kept run can be inspected
  // later with `npm start` and `pos --data-dir`.
  const serverEnv = {
    POS_ADMIN_TOKEN: "",
    POS_LOG_LEVEL: "warn",
    POS_DEMO_SWITCH_TIMEOUT_MS: String(options.switchTimeoutMs ?? 500),
    POS_DEMO_RECONNECT_INTERVAL_MS: String(options.reconnectIntervalMs ?? 1_000),
    POS_DISTRIBUTION_INTERVAL_MS: "0",
    POS_DEMO_EXTRA_REGISTERS: String(Math.max(0, options.registers - 3)),
  };
  const serverDir = join(workDir, "server");
  let server: ServerProcess | null = await startServerProcess({
    dataDir: serverDir,
    env: serverEnv,
  });
  const adminToken = (await readFile(join(serverDir, ADMIN_TOKEN_FILE), "utf8")).trim();
  const port = server.port;
  const url = server.url;
  const registers: SimulatedRegister[] = [];
  try {
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(new URL(path, url), {
        ...init,
        headers: {
          ...(init.body ? { "content-type": "application/json" } : {}),
          authorization: `Bearer ${adminToken}`,
        },
        signal: AbortSignal.timeout(5_000),
      });

    for (const registerId of registerIds) {
      const support = await admin(`/api/back-office/registers/${registerId}`, {
        method: "PATCH",
        body: JSON.stringify({ offlineSupport: true }),
      });
      if (!support.ok)
        throw new SimulationError(`Offline support for ${registerId}: ${support.status}`);
      const codes = await admin(`/api/back-office/devices/${registerId}/codes`, { method: "POST" });
      if (!codes.ok)
        throw new SimulationError(`Activation code for ${registerId}: ${codes.status}`);
      const { code } = (await codes.json()) as { code: string };
      const dataDir = join(workDir, registerId);
      const identity = await activateNodeRegister({ serverUrl: url, dataDir, registerId, code });
      const dropRandom = seededRandom(options.seed, `drop/${registerId}`);
      registers.push(
        new SimulatedRegister({
          dataDir,
          identity,
          serverUrl: url,
          dropRandom: () => dropRandom.next(),
        }),
      );
    }
    await Promise.all(registers.map((register) => register.start(CASHIER)));
    const byId = new Map(registers.map((register) => [register.registerId, register]));

    progress.phase("running");
    const t0 = Date.now();
    const made: MadeSale[] = [];
    const abandoned = new Map<string, number>();
    const distributions = { made: 0, skipped: 0 };
    let serverOperation: Promise<void> = Promise.resolve();

    const applyStep = async (step: ScheduleStep): Promise<void> => {
      const target = "register" in step ? byId.get(step.register) : undefined;
      switch (step.action) {
        case "cut":
          target?.cut();
          break;
        case "heal":
          target?.heal();
          break;
        case "cut-all":
          for (const register of registers) register.cut();
          break;
        case "heal-all":
          for (const register of registers) register.heal();
          break;
        case "delay":
          target?.delay(step.ms);
          break;
        case "drop":
          target?.drop(step.probability);
          break;
        case "kill-register":
          await target?.exclusive(() => target.kill());
          break;
        case "restart-register":
          await target?.exclusive(() => target.restart(CASHIER));
          break;
        case "kill-server": {
          const running = server;
          server = null;
          await running?.kill("SIGKILL");
          break;
        }
        case "restart-server":
          if (server === null) {
            server = await startServerProcess({ dataDir: serverDir, port, env: serverEnv });
          }
          break;
      }
      progress.step(step.at, describeStep(step));
    };

    const runSchedule = async (): Promise<void> => {
      for (const step of plan.schedule) {
        await sleep(t0 + step.at - Date.now());
        serverOperation = serverOperation.then(() => applyStep(step));
        await serverOperation;
      }
    };

    const runPriceChanges = async (): Promise<void> => {
      for (const change of plan.priceChanges) {
        await sleep(t0 + change.at - Date.now());
        if (server === null) {
          distributions.skipped++;
          progress.step(change.at, `distribution skipped: the server is down`);
          continue;
        }
        try {
          const edit = await admin(
            `/api/back-office/products/${encodeURIComponent(change.productId)}`,
            {
              method: "PATCH",
              body: JSON.stringify({ price: change.price }),
            },
          );
          const run = edit.ok
            ? await admin("/api/back-office/distribute", { method: "POST" })
            : edit;
          if (run.ok) distributions.made++;
          else distributions.skipped++;
          progress.step(
            change.at,
            `price of ${change.productId} set to ${change.price}, distributed`,
          );
        } catch {
          distributions.skipped++;
          progress.step(change.at, `distribution skipped: the server did not answer`);
        }
      }
    };

    const ringUp = async (register: SimulatedRegister, sale: PlannedSale): Promise<void> => {
      for (;;) {
        const done = await register.exclusive(async () => {
          const node = register.node;
          if (!node) return false;
          const session = node.session;
          const command = async (what: string, run: () => Promise<ActionResult>) => {
            const deadline = Date.now() + 30_000;
            for (;;) {
              const result = await run();
              if (result.ok) return;
              if (!RETRYABLE.has(result.code) || Date.now() > deadline) {
                throw new SimulationError(
                  `${register.registerId} refused ${what} of sale ${sale.number}: ${result.code} ${result.message}`,
                );
              }
              await sleep(50);
            }
          };
          try {
            for (const barcode of sale.barcodes)
              await command("a scan", () => session.scan(barcode));
            const open = session.view().sale;
            if (!open) throw new SimulationError(`sale ${sale.number} did not open`);
            await command("the cash payment", () => session.pay("cash", open.due));
            await command("completion", () => session.completeSale());
            made.push({
              registerId: register.registerId,
              saleId: open.saleId,
              receipt: open.receiptNumber,
            });
          } catch (error) {
            abandoned.set(register.registerId, (abandoned.get(register.registerId) ?? 0) + 1);
            if (session.view().sale) await session.voidSale("simulation could not finish the sale");
            progress.step(Date.now() - t0, `sale ${sale.number} abandoned: ${String(error)}`);
          }
          return true;
        });
        if (done) return;
        await sleep(25);
      }
    };

    let salesDone = 0;
    const runSales = async (register: SimulatedRegister): Promise<void> => {
      for (const sale of plan.sales.filter((s) => s.registerId === register.registerId)) {
        await sleep(t0 + sale.startAt - Date.now());
        await ringUp(register, sale);
        progress.sale(++salesDone, plan.sales.length);
      }
    };

    const scheduleDone = runSchedule().then(async () => {
      // A register the schedule left killed comes back, so its planned sales can still run.
      for (const register of registers) {
        if (!register.node) await register.exclusive(() => register.restart(CASHIER));
      }
    });
    await Promise.all([scheduleDone, runPriceChanges(), ...registers.map(runSales)]);

    progress.phase("converging");
    const convergeStart = Date.now();
    if (server === null) {
      server = await startServerProcess({ dataDir: serverDir, port, env: serverEnv });
    }
    for (const register of registers) {
      register.heal();
      register.delay(0);
      register.drop(0);
    }
    const journal = async (): Promise<JournalRow[] | null> => {
      try {
        const response = await admin("/api/journal");
        if (!response.ok) return null;
        return ((await response.json()) as { sales: JournalRow[] }).sales;
      } catch {
        return null;
      }
    };
    const receipts = new Set(made.map((sale) => sale.receipt));
    let converged = false;
    let lastJournal: JournalRow[] = [];
    const deadline = convergeStart + options.convergeTimeoutMs;
    while (Date.now() < deadline) {
      for (const register of registers) await reconnect(register);
      const states = await Promise.all(registers.map((register) => register.posting()));
      const uploaded = states.every(
        (state) => state !== null && state.acceptedThroughSeq >= state.lastSeq,
      );
      const rows = await journal();
      if (rows) lastJournal = rows;
      const journalled = new Set(lastJournal.map((row) => row.receiptNumber));
      if (uploaded && [...receipts].every((receipt) => journalled.has(receipt))) {
        converged = true;
        break;
      }
      await sleep(100);
    }
    const convergeMs = converged ? Date.now() - convergeStart : null;

    progress.phase("checking");
    const rows = (await journal()) ?? lastJournal;
    const perRegister: RegisterReport[] = [];
    for (const register of registers) {
      const posting = await register.posting();
      const session = register.node?.session;
      perRegister.push({
        registerId: register.registerId,
        salesMade: made.filter((sale) => sale.registerId === register.registerId).length,
        salesAbandoned: abandoned.get(register.registerId) ?? 0,
        lastSeq: posting?.lastSeq ?? 0,
        acceptedThroughSeq: posting?.acceptedThroughSeq ?? 0,
        modeChanges: session?.events.filter((event) => event.type === "ModeChanged").length ?? 0,
        restarts: register.restarts,
        mode: session?.mode ?? "stopped",
        headsMatch: posting !== null && posting.acceptedThroughSeq === posting.lastSeq,
      });
    }
    const check = checkJournal(made, rows);
    const headsMatch = perRegister.every((r) => r.headsMatch);
    const report: SimulationReport = {
      seed: plan.seed,
      dataDir: options.workDir !== undefined || options.keepData ? workDir : null,
      registers: registers.length,
      durationMs: plan.durationMs,
      scheduleSteps: plan.schedule.length,
      salesPlanned: plan.sales.length,
      salesMade: made.length,
      salesAbandoned: [...abandoned.values()].reduce((a, b) => a + b, 0),
      distributions,
      eventsWritten: perRegister.reduce((sum, r) => sum + r.lastSeq, 0),
      eventsUploaded: perRegister.reduce((sum, r) => sum + r.acceptedThroughSeq, 0),
      journalSales: rows.length,
      ...check,
      converged,
      convergeMs,
      headsMatch,
      perRegister,
      elapsedMs: Date.now() - started,
      ok:
        converged &&
        headsMatch &&
        check.lost.length === 0 &&
        check.duplicated.length === 0 &&
        check.receiptCollisions.length === 0,
    };
    return report;
  } finally {
    progress.phase("stopping");
    await Promise.allSettled(registers.map((register) => register.kill()));
    await stopServer(server as ServerProcess | null);
    if (options.workDir === undefined && !options.keepData) {
      // automerge-repo saves sync state on a 100 ms throttle that outlives a repo's shutdown.
      await sleep(1_000);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** SIGTERM, then SIGKILL if the server has not exited within 3 s. */
async function stopServer(server: ServerProcess | null): Promise<void> {
  if (!server) return;
  const exited = server.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(3_000).then(() => true)]);
  if (timedOut) await server.kill("SIGKILL");
}

/** Brings an offline register back the way a cashier would: operation 917 Connect. */
async function reconnect(register: SimulatedRegister): Promise<void> {
  await register.exclusive(async () => {
    const node = register.node;
    if (!node) return;
    const session = node.session;
    if (register.conditions.lossy && session.mode === "online") {
      // Random drops may have left sync waiting on lost messages: Disconnect, then Connect, so
      // sync restarts from a fresh handshake as after any outage.
      await session.operation917();
      register.conditions.lossy = false;
    }
    if (session.mode === "offline" || session.mode === "offline-manual") {
      await session.operation917();
    }
  });
}

function describeStep(step: ScheduleStep): string {
  switch (step.action) {
    case "delay":
      return `delay ${step.register} by ${step.ms} ms`;
    case "drop":
      return `drop ${Math.round(step.probability * 100)}% of ${step.register}'s messages`;
    default:
      return "register" in step ? `${step.action} ${step.register}` : step.action;
  }
}
