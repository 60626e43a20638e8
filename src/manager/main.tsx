import { render } from "solid-js/web";

/**
 * Manager view: compares the replica state of the store's registers with the retail server.
 * This page is a placeholder until the comparison view lands.
 */
function ManagerPlaceholder() {
  return (
    <main style={{ "font-family": "system-ui, sans-serif", margin: "2rem" }}>
      <h1>Replica comparison</h1>
      <p>
        The manager view is not built yet. The register app is at <a href="/">/</a>.
      </p>
    </main>
  );
}

const root = document.getElementById("app");
if (root === null) throw new Error("The manager page has no #app element.");
render(() => <ManagerPlaceholder />, root);
