export { type App, createApp } from "./app";
export { ANONYMOUS, type Authenticate, type Caller, createAuthenticator } from "./auth";
export { type AppDeps, createApiDeps, createDeps, type LocalFiles } from "./deps";
export { type BffEnv, type BffSettings, bffSettings, checkAuthSettings, readBffEnv } from "./env";
export { ApiError } from "./errors";
export { closeServer, listen } from "./server";
export { createReport, getReportStatus } from "./service";
export type { AppRouter } from "./trpc";
