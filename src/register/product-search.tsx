import { For, Show } from "solid-js";
import type { ProductHit } from "../../replication/register/register-commands.ts";
import { createLatestSearch } from "./latest-search.ts";
import { useRegister } from "./register-context.ts";

/**
 * Search box over the register's local product index. Enter picks the first hit. Results of an
 * older query never overwrite a newer one.
 */
export function ProductSearch(props: {
  readonly id: string;
  readonly label: string;
  readonly actionLabel: string;
  readonly onPick: (hit: ProductHit) => void;
  readonly inputRef?: (input: HTMLInputElement) => void;
}) {
  const { commands, money, alert } = useRegister();
  const { text, hits, search, clear } = createLatestSearch<ProductHit>(
    (value) => commands.searchProducts(value, 8),
    alert,
  );
  const pick = (hit: ProductHit) => {
    props.onPick(hit);
    clear();
  };
  return (
    <div class="product-search">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        ref={(el) => props.inputRef?.(el)}
        autocomplete="off"
        value={text()}
        onInput={(e) => search(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          e.preventDefault();
          const first = hits()[0];
          if (first !== undefined) pick(first);
        }}
      />
      <Show when={hits().length > 0}>
        <ul class="hits" aria-label={`${props.label} results`}>
          <For each={hits()}>
            {(hit) => (
              <li>
                <button
                  type="button"
                  aria-label={`${props.actionLabel} ${hit.name}`}
                  onClick={() => pick(hit)}
                >
                  <span>{hit.name}</span>
                  <span class="muted">{hit.barcode ?? ""}</span>
                  <span class="num">{money().format(hit.price)}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
