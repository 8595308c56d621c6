// Builds the console into anfang/web/dist, which the API serves at "/" (see anfang/web/__init__.py).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../anfang/web/dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 200,
  },
  server: {
    // `npm run dev` proxies the API to a running `anfang demo`.
    proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true } },
  },
});
