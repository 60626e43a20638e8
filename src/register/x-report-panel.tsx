import { createResource, For, Show } from "solid-js";
import type { XReportView } from "../../replication/register/register-view.ts";
import { useRegister } from "./register-context.ts";

const TENDER_NAMES = {
  cash: "Cash",
  card: "Card",
  "gift-card": "Gift card",
  "customer-account": "Customer account",
} as const;

/** The open shift's running totals, built by the register from its own events (works offline). */
export function XReportPanel(props: { readonly locale: string | undefined }) {
  const { commands, money } = useRegister();
  const [report, { refetch }] = createResource(
    async (): Promise<XReportView | null> => (commands.xReport ? commands.xReport() : null),
  );
  const m = (amount: number) => money().format(amount);
  const time = (at: number) =>
    new Intl.DateTimeFormat(props.locale, { dateStyle: "short", timeStyle: "short" }).format(at);
  return (
    <section class="panel" aria-labelledby="x-report-title">
      <h2 id="x-report-title">X report</h2>
      <Show
        when={!report.error}
        fallback={<p class="reason">The X report failed: {String(report.error)}</p>}
      >
        <Show
          when={report()}
          fallback={
            <p>{report.loading ? "Building…" : "This register cannot produce an X report."}</p>
          }
        >
          {(r) => (
            <>
              <p class="muted">
                Register {r().registerId}, {r().operatorName}, at {time(r().generatedAt)}
                <Show when={r().shiftOpenedAt}>{(at) => <>, shift opened {time(at())}</>}</Show>
              </p>
              <dl class="facts">
                <dt>Sales</dt>
                <dd>{r().salesCount}</dd>
                <dt>Returns</dt>
                <dd>{r().returnsCount}</dd>
                <dt>Voided sales</dt>
                <dd>{r().voidedSalesCount}</dd>
                <dt>Gross sales</dt>
                <dd>{m(r().grossSales)}</dd>
                <dt>Discounts</dt>
                <dd>{m(r().discounts)}</dd>
                <dt>Returns amount</dt>
                <dd>{m(r().returns)}</dd>
                <dt>Tax</dt>
                <dd>{m(r().tax)}</dd>
                <dt>Net sales</dt>
                <dd>{m(r().netSales)}</dd>
                <For each={r().byTender}>
                  {(t) => (
                    <>
                      <dt>
                        {TENDER_NAMES[t.tenderKind]} ({t.count})
                      </dt>
                      <dd>{m(t.amount)}</dd>
                    </>
                  )}
                </For>
                <dt>Opening float</dt>
                <dd>{m(r().openingFloat)}</dd>
                <dt>Expected cash</dt>
                <dd>{m(r().expectedCash)}</dd>
                <dt>Declared cash</dt>
                <dd>{r().declaredCash === null ? "Not declared" : m(r().declaredCash ?? 0)}</dd>
              </dl>
            </>
          )}
        </Show>
      </Show>
      <button type="button" onClick={() => refetch()}>
        Refresh
      </button>
    </section>
  );
}
