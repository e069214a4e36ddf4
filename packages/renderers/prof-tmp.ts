import { benchSpec } from "../../bench/renderers/data";
import { renderReport } from "./src/index";

const n = Number(process.argv[2] ?? 1_048_575);
const spec = benchSpec((process.argv[3] ?? "xlsx") as "xlsx", n);
await renderReport(benchSpec((process.argv[3] ?? "xlsx") as "xlsx", 100));
const t0 = performance.now();
const f = await renderReport(spec);
console.log(
  "ms",
  Math.round(performance.now() - t0),
  "bytes",
  f.data.length,
  "peak MB",
  process.resourceUsage().maxRSS / 1e3,
);
