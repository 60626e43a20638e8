import { useRegister } from "./register-context.ts";

/** `?dev=1`: partition simulation for testers. */
export function DevPanel() {
  const { commands, alert } = useRegister();
  const call = async (action: (() => Promise<void>) | undefined, name: string) => {
    if (action === undefined) {
      alert(`${name} is not supported by this register.`);
      return;
    }
    try {
      await action();
    } catch (error) {
      alert(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <aside class="dev-panel" aria-label="Developer tools">
      <strong>Developer</strong>
      <button
        type="button"
        onClick={() => call(commands.cutNetwork?.bind(commands), "Cut network")}
      >
        Cut network
      </button>
      <button
        type="button"
        onClick={() => call(commands.healNetwork?.bind(commands), "Heal network")}
      >
        Heal network
      </button>
    </aside>
  );
}
