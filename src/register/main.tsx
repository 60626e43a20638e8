import { registerSW } from "virtual:pwa-register";
import { render } from "solid-js/web";
import { RegisterApp } from "./app.tsx";
import { createBrowserRegister } from "./browser-register.ts";
import "./register.css";

/**
 * Composition root of the register app: registers the service worker (so a reload while the
 * server is down still starts the register), opens the browser register session and renders it.
 */
async function start(root: HTMLElement): Promise<void> {
  registerSW({
    immediate: true,
    onRegisterError: (error: unknown) => console.warn("Service worker registration failed", error),
  });
  const devTools = new URLSearchParams(window.location.search).get("dev") === "1";
  try {
    const commands = await createBrowserRegister();
    root.textContent = "";
    render(() => <RegisterApp commands={commands} devTools={devTools} />, root);
  } catch (error) {
    root.textContent = "";
    render(() => <StartupFailure error={error} />, root);
  }
}

function StartupFailure(props: { readonly error: unknown }) {
  return (
    <div class="register-app">
      <section class="card narrow">
        <h1>The register could not start</h1>
        <p role="alert" class="alert">
          {props.error instanceof Error ? props.error.message : String(props.error)}
        </p>
        <p>Reload the page. If it keeps failing, call the store's support with this message.</p>
        <button type="button" class="primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    </div>
  );
}

const root = document.getElementById("app");
if (root === null) throw new Error("The register page has no #app element.");
void start(root);
