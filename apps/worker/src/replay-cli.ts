import { parseArgs } from "node:util";
import { createLogger } from "@reports/logger";
import { replayDeadLetters } from "@reports/queue";
import { createDeps } from "./deps";
import { readWorkerEnv } from "./env";

const usage = "usage: pnpm --filter @reports/worker replay (--id ID [--id ID …] | --all) [--dry-run]";
const { values } = parseArgs({
  options: {
    id: { type: "string", multiple: true },
    all: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help || (!values.all && !values.id?.length) || (values.all && values.id?.length)) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const env = readWorkerEnv();
const deps = await createDeps(env, createLogger({ name: "replay", level: "warn" }));
try {
  const summary = await replayDeadLetters(deps, {
    ...(values.id ? { ids: values.id } : {}),
    dryRun: values["dry-run"],
    onProgress: (done, total) => {
      if (done === total || done % 100 === 0) process.stderr.write(`replayed ${done}/${total}\n`);
    },
  });
  if (values["dry-run"]) {
    for (const id of summary.selected) console.log(id);
  }
  console.log(
    JSON.stringify({
      dryRun: values["dry-run"],
      selected: summary.selected.length,
      replayed: summary.replayed.length,
      skipped: summary.skipped,
      deadLettersRemoved: summary.deadLettersRemoved,
    }),
  );
} finally {
  await deps.close();
}
