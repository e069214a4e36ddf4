import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import type { Manifest } from "./kustomize";
import { INFRA } from "./paths";

// The models' TypeScript interfaces come from the same OpenAPI and CRD schemas as their validators.
function typeOf({ apiVersion, kind }: Manifest): { module: string; type: string } {
  const module = apiVersion.startsWith("keda.sh/")
    ? `@kubernetes-models/keda/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  return { module, type: `I${kind}` };
}

/**
 * Unknown fields (and wrong types) in the manifests, found by type-checking each one as an object literal of
 * its kind's interface: TypeScript's excess-property check is the strict mode the JSON validators lack.
 */
export function strictTypeErrors(manifests: Manifest[]): string[] {
  const dir = join(INFRA, "test/.generated");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `manifests-${process.pid}-${Date.now()}.ts`);
  const labels = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
  const source = [
    ...manifests.map((m, i) => `import type { ${typeOf(m).type} as T${i} } from "${typeOf(m).module}";`),
    ...manifests.map((m, i) => `export const m${i}: T${i} = ${JSON.stringify(m)};`),
  ].join("\n");
  writeFileSync(file, source);
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file && d.start !== undefined)
      .map((d) => {
        const line = d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0;
        const label = labels[line - manifests.length] ?? "import";
        return `${label}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      });
  } finally {
    rmSync(file, { force: true });
  }
}
