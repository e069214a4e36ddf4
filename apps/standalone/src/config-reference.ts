import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { bffSettings } from "@reports/bff";
import { serviceEnv } from "@reports/contracts";
import { s3rverEnv } from "@reports/storage";
import { workerSettings } from "@reports/worker";
import ts from "typescript";
import { z } from "zod";
import { standaloneEnv } from "./env";

/** The `env.ts` next to a package's entry point, where its settings are declared with their comments. */
const envFileOf = (pkg: string) => join(dirname(createRequire(import.meta.url).resolve(pkg)), "env.ts");

interface Doc {
  text: string;
  /** `@default` overrides a default computed on this machine (e.g. from the number of cores). */
  default?: string;
}

/** The JSDoc of every UPPER_CASE property in a source file: the settings' descriptions. */
function settingDocs(file: string): Map<string, Doc> {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, Doc>();
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && /^[A-Z][A-Z0-9_]+$/.test(node.name.text)) {
      const jsDoc = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc);
      // read as written: a word like `@reports/bff` in the text is not a tag, only a line that starts with one is
      const lines = (jsDoc?.getText() ?? "")
        .replace(/^\/\*\*|\*\/$/g, "")
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, "").trim());
      const fallback = lines.find((line) => line.startsWith("@default "))?.slice("@default ".length);
      const text = lines
        .filter((line) => !line.startsWith("@"))
        .join(" ")
        .replace(/\s+/g, " ")
        .trim();
      if (text) docs.set(node.name.text, { text, ...(fallback ? { default: fallback } : {}) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return docs;
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: string;
};

function valuesOf(schema: JsonSchema): string {
  if (schema.enum) {
    const values = schema.enum.map(String);
    if (values.includes("true") && values.includes("false")) return "`true` or `false`";
    return values.map((v) => `\`${v}\``).join(", ");
  }
  if (schema.type === "integer" || schema.type === "number") {
    const kind = schema.type === "integer" ? "integer" : "number";
    if (schema.minimum !== undefined && schema.maximum !== undefined)
      return `${kind}, ${schema.minimum}–${schema.maximum}`;
    if (schema.minimum !== undefined) return `${kind} ≥ ${schema.minimum}`;
    return kind;
  }
  return schema.format === "uri" ? "URL" : "text";
}

const cell = (text: string) => text.replaceAll("|", "\\|");

interface Section {
  title: string;
  intro: string;
  schema: z.ZodType;
  /** Where the settings' comments are. */
  file: string;
  only?: (name: string) => boolean;
}

function table({ schema, file, only }: Section): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  const docs = settingDocs(file);
  const undocumented = Object.keys(json.properties).filter((name) => (only?.(name) ?? true) && !docs.get(name)?.text);
  if (undocumented.length > 0) {
    throw new Error(`${file}: add a /** description */ above ${undocumented.join(", ")}`);
  }
  const rows = Object.entries(json.properties)
    .filter(([name]) => only?.(name) ?? true)
    .map(([name, property]) => {
      const doc = docs.get(name) as Doc;
      const fallback =
        doc.default ??
        (json.required?.includes(name)
          ? "**required**"
          : property.default === undefined || property.default === ""
            ? "unset"
            : `\`${String(property.default)}\``);
      return `| \`${name}\` | ${cell(fallback)} | ${cell(valuesOf(property))} | ${cell(doc.text)} |`;
    });
  return ["| variable | default | values | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

const inSettings = (settings: z.ZodObject) => (name: string) => name in settings.shape;

/** docs/configuration.md: every setting of the BFF, the worker, the embedded mode and the development S3 server. */
export function configurationReference(): string {
  const sections: Section[] = [
    {
      title: "Connections (distributed mode: the BFF and the worker)",
      intro:
        "Both `pnpm --filter @reports/bff start` and `pnpm --filter @reports/worker start` read these; the embedded " +
        "mode has none of them (PGlite, an in-process queue and cache, local files).",
      schema: serviceEnv,
      file: envFileOf("@reports/contracts"),
    },
    {
      title: "The API (BFF; also the embedded mode)",
      intro: "Read by the BFF (`apps/bff/src/env.ts`) and by `pnpm start`.",
      schema: bffSettings,
      file: envFileOf("@reports/bff"),
    },
    {
      title: "The worker (also the embedded mode)",
      intro: "Read by the worker (`apps/worker/src/env.ts`) and by `pnpm start`, which runs one in the same process.",
      schema: workerSettings,
      file: envFileOf("@reports/worker"),
    },
    {
      title: "The embedded mode only (`pnpm start`)",
      intro: "On top of the API's and the worker's settings above (`apps/standalone/src/env.ts`).",
      schema: standaloneEnv,
      file: join(dirname(new URL(import.meta.url).pathname), "env.ts"),
      only: (name) => !inSettings(bffSettings)(name) && !inSettings(workerSettings)(name),
    },
    {
      title: "The development S3 server (`pnpm dev:s3`)",
      intro: "s3rver, for development and tests (`packages/storage/src/env.ts`).",
      schema: s3rverEnv,
      file: envFileOf("@reports/storage"),
    },
  ];
  return [
    "# Configuration",
    "",
    "<!-- Generated from the env schemas by `pnpm docs:config` (apps/standalone/src/config-reference.ts); do not " +
      "edit by hand: a test fails when this file and the schemas differ. -->",
    "",
    "Every process reads its settings from environment variables once, at start, and refuses to start with one line " +
      "naming a bad one. Booleans are `true`/`false` (or `1`/`0`); lists are comma-separated. `pnpm --filter " +
      "@reports/bff keys …` and `pnpm db:migrate` read only `DATABASE_URL` (a `postgres://` URL, or the embedded " +
      "database's directory, e.g. `.data/db`).",
    "",
    ...sections.flatMap((section) => [`## ${section.title}`, "", section.intro, "", table(section), ""]),
  ].join("\n");
}

/** Where the reference is kept, from the repository's root. */
export const CONFIGURATION_MD = join(dirname(new URL(import.meta.url).pathname), "../../../docs/configuration.md");

// `pnpm docs:config` runs this file
if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CONFIGURATION_MD, configurationReference());
  console.log(`wrote ${CONFIGURATION_MD}`);
}
