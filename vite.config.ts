import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import solid from "vite-plugin-solid";
import wasm from "vite-plugin-wasm";

const projectRoot = fileURLToPath(new URL(".", import.meta.url));

/**
 * The pages the build produces, keyed by the URL path they are served at. The register app is the
 * store's start page; the manager view lives under /manager/.
 */
const PAGES = [
  { source: "src/register/index.html", output: "index.html", paths: ["/"] },
  {
    source: "src/manager/index.html",
    output: "manager/index.html",
    paths: ["/manager", "/manager/"],
  },
] as const;

/** Largest file the service worker precaches: the Automerge wasm is about 3.6 MB. */
const MAX_PRECACHE_BYTES = 8 * 1024 * 1024;

/**
 * Serves each page at its public path: in the dev server by rewriting the request, in the build by
 * moving the emitted HTML from its source folder to the path the retail server serves.
 */
function pagesAtPublicPaths(): Plugin {
  return {
    name: "pos-pages-at-public-paths",
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const [path, query] = (req.url ?? "/").split("?", 2);
        const page = PAGES.find((p) => (p.paths as readonly string[]).includes(path ?? ""));
        if (page !== undefined)
          req.url = `/${page.source}${query === undefined ? "" : `?${query}`}`;
        next();
      });
    },
    generateBundle: {
      order: "post",
      handler(_options, bundle) {
        for (const page of PAGES) {
          const emitted = bundle[page.source];
          if (emitted === undefined || emitted.type !== "asset") continue;
          delete bundle[page.source];
          this.emitFile({ type: "asset", fileName: page.output, source: emitted.source });
        }
      },
    },
  };
}

/**
 * Register app at `/`, manager view at `/manager/`, both into dist/. The service worker precaches
 * the app shell, scripts, styles and the Automerge wasm, so a reload while the retail server is
 * down still starts the register; only `/` falls back to the cached shell.
 */
export default defineConfig({
  plugins: [
    solid(),
    wasm(),
    pagesAtPublicPaths(),
    VitePWA({
      strategies: "generateSW",
      registerType: "autoUpdate",
      injectRegister: false,
      manifest: {
        name: "Offline POS register",
        short_name: "Register",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#1f3a5f",
      },
      workbox: {
        globPatterns: ["**/*.{html,js,css,wasm,svg,png,ico,webmanifest}"],
        maximumFileSizeToCacheInBytes: MAX_PRECACHE_BYTES,
        navigateFallback: "/index.html",
        navigateFallbackAllowlist: [/^\/(?:\?.*)?$/],
        navigateFallbackDenylist: [/^\/api(?:\/|$)/, /^\/manager(?:\/|$)/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  build: {
    outDir: resolve(projectRoot, "dist"),
    emptyOutDir: true,
    target: "esnext",
    rolldownOptions: {
      input: Object.fromEntries(
        PAGES.map((page) => [
          page.output.replace(/\/?index\.html$/, "") || "register",
          resolve(projectRoot, page.source),
        ]),
      ),
    },
  },
  worker: { format: "es", plugins: () => [wasm()] },
  optimizeDeps: { exclude: ["@automerge/automerge"] },
});
