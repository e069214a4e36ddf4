import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIGURATION_MD, configurationReference } from "./config-reference";

describe("docs/configuration.md", () => {
  it("is what the env schemas generate (run `pnpm docs:config` after changing a setting)", async () => {
    expect(await readFile(CONFIGURATION_MD, "utf8")).toBe(configurationReference());
  });

  it("lists the settings people looked for in the sources, with their defaults", () => {
    const reference = configurationReference();
    const expected: [string, string][] = [
      ["QUEUE_PREFIX", "unset"],
      ["S3_PORT", "`4569`"],
      ["WORKER_HEALTH_PORT", "`9464`"],
      ["CORS_ORIGINS", "unset"],
      ["DATA_DIR", "`.data`"],
      ["DATABASE_URL", "**required**"],
    ];
    for (const [name, fallback] of expected) {
      expect(reference).toMatch(new RegExp(`\\| \`${name}\` \\| ${fallback.replace(/[*.]/g, "\\$&")} \\|`));
    }
  });

  it("is linked from the README", async () => {
    const readme = await readFile(join(CONFIGURATION_MD, "../../README.md"), "utf8");
    expect(readme).toContain("](docs/configuration.md)");
  });
});
