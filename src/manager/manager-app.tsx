import { createResource, createSignal, For, type JSX, Show } from "solid-js";
import {
  type ManagerApi,
  type MissingEvents,
  managerApi,
  type RegisterComparison,
  type RegisterRow,
  signIn,
} from "./manager-api.ts";

/**
 * The manager view: sign in with operator ID and PIN, then the registers table with state
 * badges, a Compare panel per register (documents by heads, sales by business day, drill-down to
 * the events one side lacks) and the registers that block a clean end of day.
 */
export function ManagerApp(): JSX.Element {
  const [api, setApi] = createSignal<ManagerApi | null>(null);
  return (
    <>
      <header>
        <h1>Replica comparison</h1>
        <Show when={api()}>
          <button type="button" onClick={() => setApi(null)}>
            Sign out
          </button>
        </Show>
      </header>
      <main>
        <Show when={api()} fallback={<SignIn onSignedIn={(token) => setApi(managerApi(token))} />}>
          {(current) => <Dashboard api={current()} />}
        </Show>
      </main>
    </>
  );
}

function SignIn(props: { onSignedIn: (token: string) => void }): JSX.Element {
  const [operatorId, setOperatorId] = createSignal("");
  const [pin, setPin] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      props.onSignedIn(await signIn(operatorId(), pin()));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  return (
    <form class="sign-in" onSubmit={submit}>
      <h2>Manager sign-in</h2>
      <label>
        Operator ID
        <br />
        <input
          name="operatorId"
          autocomplete="username"
          value={operatorId()}
          onInput={(e) => setOperatorId(e.currentTarget.value)}
        />
      </label>
      <label>
        PIN
        <br />
        <input
          name="pin"
          type="password"
          inputmode="numeric"
          autocomplete="current-password"
          value={pin()}
          onInput={(e) => setPin(e.currentTarget.value)}
        />
      </label>
      <button class="primary" type="submit">
        Sign in
      </button>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </form>
  );
}

function Badge(props: { value: string }): JSX.Element {
  return <span class={`badge badge-${props.value}`}>{props.value}</span>;
}

function time(at: number | null): string {
  return at === null ? "never" : new Date(at).toLocaleString();
}

function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

function Dashboard(props: { api: ManagerApi }): JSX.Element {
  const [rows, { refetch: refetchRows }] = createResource(() => props.api.registers());
  const [endOfDay, { refetch: refetchEndOfDay }] = createResource(() => props.api.endOfDay());
  const [selected, setSelected] = createSignal<string | null>(null);
  const refresh = () => {
    void refetchRows();
    void refetchEndOfDay();
  };
  return (
    <>
      <section aria-label="Registers">
        <h2>
          Registers{" "}
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </h2>
        <Show when={rows.error}>
          <p class="error">{String(rows.error?.message ?? rows.error)}</p>
        </Show>
        <table>
          <thead>
            <tr>
              <th>Register</th>
              <th>State</th>
              <th>Mode</th>
              <th>Last seen</th>
              <th>Pending upload</th>
              <th>Master data</th>
              <th>Mode changes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={rows() ?? []}>
              {(row: RegisterRow) => (
                <tr data-register={row.registerId}>
                  <td>
                    {row.registerId} <small>{row.name}</small>
                  </td>
                  <td>
                    <Badge value={row.badge} />
                  </td>
                  <td>{row.mode ?? "never reported"}</td>
                  <td>{time(row.lastSeenAt)}</td>
                  <td>
                    {row.pending.headsServerLacks} changes not received;{" "}
                    {row.pending.eventsHeldNotPosted} events ({row.pending.salesHeldNotPosted}{" "}
                    sales) not posted
                  </td>
                  <td>
                    {row.appliedPackageSeq ?? "none"} / {row.latestPackageSeq}
                  </td>
                  <td>
                    <For each={row.modeChanges.slice(-3)}>
                      {(change) => (
                        <div>
                          {time(change.at)}: {change.from} → {change.to} ({change.reason})
                        </div>
                      )}
                    </For>
                  </td>
                  <td>
                    <button type="button" onClick={() => setSelected(row.registerId)}>
                      Compare
                    </button>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </section>
      <section aria-label="End of day">
        <h2>End of day</h2>
        <Show when={endOfDay()}>
          {(eod) => (
            <Show
              when={!eod().clean}
              fallback={<p class="ok">No register blocks a clean end of day.</p>}
            >
              <ul>
                <For each={eod().blockers}>
                  {(blocker) => (
                    <li>
                      <strong>{blocker.registerId}</strong>: {blocker.reasons.join(" ")}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          )}
        </Show>
      </section>
      <Show when={selected()}>
        {(registerId) => <ComparePanel api={props.api} registerId={registerId()} />}
      </Show>
    </>
  );
}

function ComparePanel(props: { api: ManagerApi; registerId: string }): JSX.Element {
  const [comparison] = createResource(
    () => props.registerId,
    (registerId) => props.api.compare(registerId),
  );
  const [missing, setMissing] = createSignal<MissingEvents | null>(null);
  const drill = async (day: string) => setMissing(await props.api.missing(props.registerId, day));
  return (
    <section aria-label="Compare">
      <h2>Compare {props.registerId}</h2>
      <Show when={comparison()} fallback={<p>Loading…</p>}>
        {(current) => <ComparisonTables comparison={current()} onDrill={drill} />}
      </Show>
      <Show when={missing()}>
        {(list) => (
          <section aria-label="Missing events">
            <h2>Events one side lacks, {list().businessDay}</h2>
            <p>
              Changes the server has not received: {list().notReceivedHeads.length} (their events
              are known once the register uploads).
            </p>
            <table>
              <thead>
                <tr>
                  <th>Side</th>
                  <th>Seq</th>
                  <th>Event</th>
                  <th>Receipt</th>
                  <th>Id</th>
                </tr>
              </thead>
              <tbody>
                <MissingEventRows where="held, not posted" events={list().notPosted} />
                <MissingEventRows where="server only" events={list().notReportedByRegister} />
              </tbody>
            </table>
          </section>
        )}
      </Show>
    </section>
  );
}

/** Rows of the drill-down: events one side lacks, labelled with where they are. */
function MissingEventRows(props: {
  where: string;
  events: MissingEvents["notPosted"];
}): JSX.Element {
  return (
    <For each={props.events}>
      {(event) => (
        <tr>
          <td>{props.where}</td>
          <td>{event.seq}</td>
          <td>{event.type}</td>
          <td>{event.receiptNumber ?? ""}</td>
          <td>
            <code>{event.id}</code>
          </td>
        </tr>
      )}
    </For>
  );
}

function ComparisonTables(props: {
  comparison: RegisterComparison;
  onDrill: (day: string) => void;
}): JSX.Element {
  const heads = (list: readonly string[] | null) =>
    list === null ? "–" : list.map((hash) => hash.slice(0, 8)).join(", ") || "(empty)";
  return (
    <>
      <p>
        State: <Badge value={props.comparison.register.badge} />
      </p>
      <table>
        <thead>
          <tr>
            <th>Document</th>
            <th>Day</th>
            <th>Register heads</th>
            <th>Server heads</th>
            <th>Only on register</th>
            <th>Only on server</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.comparison.documents}>
            {(document) => (
              <tr>
                <td>{document.kind}</td>
                <td>{document.businessDay ?? ""}</td>
                <td>
                  <code>{heads(document.registerHeads)}</code>
                </td>
                <td>
                  <code>{heads(document.serverHeads)}</code>
                </td>
                <td>{document.registerOnlyHeads.length}</td>
                <td>{document.serverOnlyChanges ?? "?"}</td>
                <td>
                  <Badge value={document.state} />
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <h2>Sales by business day</h2>
      <table>
        <thead>
          <tr>
            <th>Day</th>
            <th>Register (reported)</th>
            <th>Server copy</th>
            <th>Posted</th>
            <th>Receipts</th>
            <th>Gaps</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For each={props.comparison.days}>
            {(day) => (
              <tr>
                <td>{day.businessDay}</td>
                <td>
                  {day.register === null
                    ? "not received yet"
                    : `${day.register.salesCompleted} sales, ${money(day.register.total)}`}
                </td>
                <td>
                  {day.server.salesCompleted} sales, {money(day.server.total)}
                </td>
                <td>
                  {day.posted.salesCompleted} sales, {money(day.posted.total)}
                </td>
                <td>
                  {day.server.firstReceipt === null
                    ? ""
                    : `${day.server.firstReceipt} – ${day.server.lastReceipt}`}
                </td>
                <td>{[...day.receiptGapBefore, ...day.server.receiptGaps].join(", ") || "none"}</td>
                <td>
                  <button type="button" onClick={() => props.onDrill(day.businessDay)}>
                    Missing events
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </>
  );
}
