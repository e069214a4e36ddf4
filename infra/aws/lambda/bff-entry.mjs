// The Lambda handler (apps/bff/lambda-entry.handler): the BFF runs as TypeScript through tsx, as in its image.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("./tsconfig.json", import.meta.url)) });

export const { handler } = await import("./src/lambda.ts");
