import { useRegister } from "./register-context.ts";

/**
 * After the first sign-in the register downloads master data into its offline database; selling
 * starts once `view.provisioning.ready`.
 */
export function ProvisioningScreen() {
  const { view } = useRegister();
  const p = () => view.provisioning;
  return (
    <section class="card narrow" aria-labelledby="provisioning-title">
      <h1 id="provisioning-title">Preparing the offline database</h1>
      <p>Downloading master data from the store server. Selling starts when it is in.</p>
      <progress
        aria-label="Master data download"
        max={Math.max(p().latestSeq, 1)}
        value={Math.min(p().appliedSeq, Math.max(p().latestSeq, 1))}
      />
      <p>
        {p().packagesApplied} packages, {p().rowsApplied.toLocaleString()} rows applied (package{" "}
        {p().appliedSeq} of {p().latestSeq})
      </p>
    </section>
  );
}
