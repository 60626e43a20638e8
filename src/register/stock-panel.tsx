import { createSignal, For, Show } from "solid-js";
import type { ProductHit } from "../../replication/register/register-commands.ts";
import type { StoreStockView } from "../../replication/register/register-view.ts";
import { onlineOnlyReason } from "./connection-mode.ts";
import { ProductSearch } from "./product-search.tsx";
import { useRegister } from "./register-context.ts";

/** Stock of a product in the other stores: asks the server, so it works only online. */
export function StockPanel() {
  const { view, commands, alert } = useRegister();
  const [product, setProduct] = createSignal<ProductHit | null>(null);
  const [levels, setLevels] = createSignal<readonly StoreStockView[] | null>(null);
  const reason = () => onlineOnlyReason(view.connection.mode);
  const lookUp = async (hit: ProductHit) => {
    setProduct(hit);
    setLevels(null);
    const lookup = commands.stockInOtherStores;
    if (lookup === undefined) {
      alert("This register cannot look up other stores' stock.");
      return;
    }
    try {
      setLevels(await lookup.call(commands, hit.id));
    } catch (error) {
      alert(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section class="panel" aria-labelledby="stock-title">
      <h2 id="stock-title">Other stores' stock</h2>
      <Show when={reason() === null} fallback={<p class="reason">{reason()}</p>}>
        <ProductSearch id="stock-product" label="Product" actionLabel="Stock of" onPick={lookUp} />
        <Show when={product()}>
          {(p) => (
            <table class="lines">
              <caption>{p().name}</caption>
              <thead>
                <tr>
                  <th scope="col">Store</th>
                  <th scope="col" class="num">
                    On hand
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={levels() ?? []}>
                  {(level) => (
                    <tr>
                      <td>{level.storeName}</td>
                      <td class="num">{level.onHand}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          )}
        </Show>
      </Show>
    </section>
  );
}
