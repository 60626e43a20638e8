import { For, Show } from "solid-js";
import type { CustomerHit } from "../../replication/register/register-commands.ts";
import { focusOnMount } from "./focus-on-mount.ts";
import { createLatestSearch } from "./latest-search.ts";
import { useRegister } from "./register-context.ts";

/** Find a customer in the local replica and attach them to the sale. */
export function CustomerPanel(props: { readonly onDone: () => void }) {
  const { view, commands, run, alert } = useRegister();
  const { text, hits, search } = createLatestSearch<CustomerHit>(
    (value) => commands.searchCustomers(value, 8),
    alert,
  );
  const attach = async (hit: CustomerHit) => {
    if (await run(() => commands.attachCustomer(hit.id))) props.onDone();
  };
  return (
    <section class="panel" aria-labelledby="customer-title">
      <h2 id="customer-title">Customer</h2>
      <Show when={view.sale?.customer}>{(customer) => <p>Attached: {customer().name}</p>}</Show>
      <label for="customer-search">Customer search</label>
      <input
        id="customer-search"
        autocomplete="off"
        ref={focusOnMount}
        value={text()}
        onInput={(e) => search(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          e.preventDefault();
          const first = hits()[0];
          if (first !== undefined) void attach(first);
        }}
      />
      <ul class="hits" aria-label="Customer search results">
        <For each={hits()}>
          {(hit) => (
            <li>
              <button type="button" aria-label={`Attach ${hit.name}`} onClick={() => attach(hit)}>
                <span>{hit.name}</span>
                <span class="muted">{hit.id}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
