import { type Accessor, createSignal } from "solid-js";

/** A search box's state: the text typed, the hits of the latest query, and how to change them. */
export type LatestSearch<T> = {
  readonly text: Accessor<string>;
  readonly hits: Accessor<readonly T[]>;
  /** Sets the text and looks it up; results of an older query never overwrite a newer one. */
  readonly search: (value: string) => Promise<void>;
  /** Empties the box and drops any answer still on its way. */
  readonly clear: () => void;
};

/**
 * Search-as-you-type over the register's local index. A failed lookup is shown through `alert`.
 */
export function createLatestSearch<T>(
  find: (text: string) => Promise<readonly T[]>,
  alert: (message: string) => void,
): LatestSearch<T> {
  const [text, setText] = createSignal("");
  const [hits, setHits] = createSignal<readonly T[]>([]);
  let generation = 0;
  return {
    text,
    hits,
    async search(value) {
      setText(value);
      const mine = ++generation;
      if (value.trim() === "") {
        setHits([]);
        return;
      }
      try {
        const found = await find(value.trim());
        if (mine === generation) setHits(found);
      } catch (error) {
        alert(error instanceof Error ? error.message : String(error));
      }
    },
    clear() {
      generation++;
      setText("");
      setHits([]);
    },
  };
}
