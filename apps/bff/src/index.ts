export { type App, createApp } from "./app";
export { type AppDeps, createDeps, type LocalFiles } from "./deps";
export { type BffEnv, bffSettings, readBffEnv } from "./env";
export { ApiError } from "./errors";
export { closeServer, listen } from "./server";
export { createReport, getReportStatus } from "./service";
export type { AppRouter } from "./trpc";
