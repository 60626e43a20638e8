import type { DeviceIdentity } from "../../replication/register/node-register.ts";
import { activateNodeRegister } from "../../replication/register/node-register.ts";
import type { ServerProcess } from "./server-process.ts";
import { temporaryDirectory } from "./server-process.ts";

/**
 * Polls `probe` until it returns something truthy, and returns that; fails naming `what` when
 * `timeoutMs` passes first. Every wait in the integration tests is bounded this way.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

/** A one-time activation code for `registerId` from the back office of a running server. */
export async function issueActivationCode(
  server: ServerProcess,
  registerId: string,
  adminToken: string,
): Promise<string> {
  const response = await fetch(`${server.url}/api/back-office/devices/${registerId}/codes`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (response.status !== 201) {
    throw new Error(`no activation code for ${registerId}: HTTP ${response.status}`);
  }
  return ((await response.json()) as { code: string }).code;
}

/** Activates `registerId` against a running server, with its data in a new temporary folder. */
export async function activateRegister(
  server: ServerProcess,
  registerId: string,
  adminToken: string,
  dataDir?: string,
): Promise<{ readonly identity: DeviceIdentity; readonly dataDir: string }> {
  const code = await issueActivationCode(server, registerId, adminToken);
  const dir = dataDir ?? (await temporaryDirectory(`register-${registerId}`));
  const identity = await activateNodeRegister({
    serverUrl: server.url,
    dataDir: dir,
    registerId,
    code,
  });
  return { identity, dataDir: dir };
}

export type JournalSale = {
  readonly receiptNumber: string;
  readonly registerId: string;
  readonly total: number;
};

/** The server's journal of completed sales, read with the admin token. */
export async function fetchJournal(
  server: ServerProcess,
  adminToken: string,
): Promise<readonly JournalSale[]> {
  const response = await fetch(`${server.url}/api/journal`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (response.status !== 200) throw new Error(`journal answered HTTP ${response.status}`);
  return ((await response.json()) as { sales: JournalSale[] }).sales;
}
