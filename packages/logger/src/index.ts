import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { scrub } from "./scrub";
import { serializeError } from "./serializers";

export { scrub } from "./scrub";
export { serializeError } from "./serializers";
export type { Logger };

/** Fields that must never reach a log line: secrets and report data. */
export const REDACT_PATHS = [
  "spec",
  "*.spec",
  "rows",
  "*.rows",
  "input.rows",
  "webhook.secret",
  "*.webhook.secret",
  "secret",
  "*.secret",
  "password",
  "*.password",
  "secretAccessKey",
  "*.secretAccessKey",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
  "req.headers.cookie",
  "headers.cookie",
];

/** Fields that hold a link: kept, with its signature cut out (a logged link must not open the file). */
export const LINK_PATHS = ["url", "*.url", "downloadUrl", "*.downloadUrl", "location", "*.location"];

const censor = (value: unknown, path: string[]) =>
  LINK_PATHS_LAST.has(path.at(-1) ?? "") && typeof value === "string" ? scrub(value) : "[redacted]";
const LINK_PATHS_LAST = new Set(LINK_PATHS.map((p) => p.split(".").at(-1) as string));

/**
 * The one JSON logger of every process: one event per line, fields not interpolation. Errors under
 * `err` (or `error`) keep their type, message, code and causes, never query text or bound values;
 * secrets and links' signatures are redacted (REDACT_PATHS, LINK_PATHS).
 *
 * @example
 * const log = createLogger({ name: "worker", level: "info" });
 * log.info({ requestId, ms }, "report rendered");
 */
export function createLogger(
  options: { name: string; level?: string; destination?: DestinationStream } & Pick<LoggerOptions, "base">,
): Logger {
  const settings: LoggerOptions = {
    name: options.name,
    level: options.level ?? "info",
    redact: { paths: [...REDACT_PATHS, ...LINK_PATHS], censor },
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      // a message can be an error's (`log.fatal({ err }, err.message)`): scrub it like the error
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.base === undefined ? {} : { base: options.base }),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
