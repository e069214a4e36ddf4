import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger };

/** Fields that must never reach a log line: secrets and report data. */
export const REDACT_PATHS = [
  "spec",
  "*.spec",
  "rows",
  "*.rows",
  "password",
  "*.password",
  "secretAccessKey",
  "*.secretAccessKey",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "headers.authorization",
];

/**
 * The one JSON logger of every process: one event per line, fields not interpolation.
 *
 * @example
 * const log = createLogger({ name: "worker", level: "info" });
 * log.info({ requestId, ms }, "report rendered");
 */
export function createLogger(options: { name: string; level?: string } & Pick<LoggerOptions, "base">): Logger {
  return pino({
    name: options.name,
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.base === undefined ? {} : { base: options.base }),
  });
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
