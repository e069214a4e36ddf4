/**
 * Summarises a V8 CPU profile (`--cpu-prof`, e.g. from `BENCH_CPU_PROFILE=<dir> pnpm bench …`): self time by
 * function and by where the code lives (a package under node_modules, our workspace package, Node's internals),
 * so a profile can be read in a terminal and quoted in a note.
 *
 *   pnpm bench:profile-top <file.cpuprofile> [top=25]
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script lives: `pkg:<name>` for a dependency, `ours:<package>/<file>` for the workspace, else Node's. */
export function placeOf(url: string): string {
  if (!url) return "(vm)";
  const dep = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (dep) return `pkg:${dep[1]}`;
  const ours = url.match(/\/(apps|packages)\/([^/]+)\/(?:src\/)?(.+)$/);
  if (ours) return `ours:${ours[2]}/${ours[3]}`;
  return url.startsWith("node:") ? url : `other:${url.split("/").slice(-2).join("/")}`;
}

export function summarise(profile: Profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const place = placeOf(frame.url);
    add(functions, `${frame.functionName || "(anonymous)"} ${place}:${frame.lineNumber + 1}`, us);
    add(places, frame.url ? place : `(${frame.functionName})`, us);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: rank(functions), places: rank(places) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: pnpm bench:profile-top <file.cpuprofile> [top]");
  const summary = summarise(JSON.parse(await readFile(file, "utf8")) as Profile, Number(top ?? 25));
  console.log(`total ${summary.totalMs} ms sampled\n\nself time by place:`);
  for (const p of summary.places) console.log(`${String(p.percent).padStart(6)}%  ${p.ms} ms  ${p.name}`);
  console.log("\nself time by function:");
  for (const f of summary.functions) console.log(`${String(f.percent).padStart(6)}%  ${f.ms} ms  ${f.name}`);
}
