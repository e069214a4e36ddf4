import { defineConfig } from "tsup";

// One self-contained build for browsers and Node: tRPC's client and the EventSource ponyfill are bundled
// (no runtime dependencies), the API's types are plain declarations (no zod, no server package).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  // `pnpm typecheck` checks the source against the real router; this only emits the public declarations
  dts: { compilerOptions: { noCheck: true, paths: { "@reports/bff": ["./scripts/app-router.d.ts"] } } },
  clean: true,
  treeshake: true,
  noExternal: [/.*/],
});
