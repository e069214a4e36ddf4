// `node ../../tooling/bundle/cli.mjs <app>`: an app's `build` script (see apps.mjs for what goes in).
import { apps } from "./apps.mjs";
import { bundleApp } from "./index.mjs";

const name = process.argv[2];
const app = name ? apps[name] : undefined;
if (!app) {
  console.error(`usage: cli.mjs ${Object.keys(apps).join("|")}`);
  process.exit(2);
}
await bundleApp(app);
