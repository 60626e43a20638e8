import type {
  EndOfDay,
  MissingEvents,
  RegisterComparison,
  RegisterRow,
} from "../server/manager/replica-inspector.ts";

export type { EndOfDay, MissingEvents, RegisterComparison, RegisterRow };

/** A refused call, with the server's message for the manager. */
export class ManagerApiError extends Error {
  override readonly name = "ManagerApiError";
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The manager API of the retail server this page came from, with a session token. */
export type ManagerApi = {
  registers(): Promise<readonly RegisterRow[]>;
  compare(registerId: string): Promise<RegisterComparison>;
  missing(registerId: string, day: string): Promise<MissingEvents>;
  endOfDay(): Promise<EndOfDay>;
};

async function call<T>(path: string, init: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ManagerApiError(
      error?.code ?? String(response.status),
      response.status,
      error?.message ?? `The server answered ${response.status}.`,
    );
  }
  return body as T;
}

/** Signs a manager in; resolves with the session token. */
export async function signIn(operatorId: string, pin: string): Promise<string> {
  const session = await call<{ token: string }>("/api/manager/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ operatorId, pin }),
  });
  return session.token;
}

/** The API calls made with `token`. */
export function managerApi(token: string): ManagerApi {
  const get = <T>(path: string) =>
    call<T>(`/api/manager${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    registers: async () => (await get<{ registers: RegisterRow[] }>("/registers")).registers,
    compare: (registerId) => get(`/compare/${encodeURIComponent(registerId)}`),
    missing: (registerId, day) =>
      get(`/compare/${encodeURIComponent(registerId)}/missing?day=${encodeURIComponent(day)}`),
    endOfDay: () => get("/end-of-day"),
  };
}
