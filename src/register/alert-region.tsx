import { Show } from "solid-js";

/**
 * The one place a refused action's message appears (role alert, so screen readers announce it).
 * Rendered only while there is something to say.
 */
export function AlertRegion(props: { readonly message: string | null }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <div role="alert" class="alert">
          {message()}
        </div>
      )}
    </Show>
  );
}
