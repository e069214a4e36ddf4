/** Compose's variable interpolation for `${NAME}`, `${NAME:-default}` and `${NAME-default}` (what compose.yaml uses). */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g,
    (_, name: string, op?: string, fallback = "") => {
      const value = env[name];
      if (op === ":-") return value ? value : fallback;
      if (op === "-") return value ?? fallback;
      return value ?? "";
    },
  );
}
