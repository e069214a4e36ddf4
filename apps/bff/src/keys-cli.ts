import { parseArgs } from "node:util";
import { createApiKeyRepository, createDb } from "@reports/db";
import { readKeysEnv } from "./env";

const usage = `usage:
  pnpm --filter @reports/bff keys create --owner OWNER [--name NAME] [--admin]   prints the new key once (--admin: an operator's key)
  pnpm --filter @reports/bff keys list [--owner OWNER]
  pnpm --filter @reports/bff keys revoke ID`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    owner: { type: "string" },
    name: { type: "string" },
    admin: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
const [command, id] = positionals;
if (values.help || !command) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const database = createDb(readKeysEnv().DATABASE_URL, { maxConnections: 1 });
await database.migrate();
const keys = createApiKeyRepository(database.db);
let exitCode = 0;
try {
  switch (command) {
    case "create": {
      if (!values.owner) throw new Error("--owner is required");
      const created = await keys.create({
        owner: values.owner,
        admin: values.admin,
        ...(values.name ? { name: values.name } : {}),
      });
      console.log(JSON.stringify({ id: created.id, owner: values.owner, admin: values.admin, key: created.key }));
      console.error("Keep the key now: only its hash is stored.");
      break;
    }
    case "list":
      for (const key of await keys.list(values.owner)) console.log(JSON.stringify(key));
      break;
    case "revoke":
      if (!id) throw new Error("the key id is required");
      if (!(await keys.revoke(id))) throw new Error(`no live key ${id}`);
      console.log(JSON.stringify({ id, revoked: true }));
      break;
    default:
      throw new Error(`unknown command "${command}"\n${usage}`);
  }
} catch (error) {
  console.error(`reports keys: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await database.close();
}
process.exit(exitCode);
