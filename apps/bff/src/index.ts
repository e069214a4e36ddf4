export { type App, createApp } from "./app";
export { ANONYMOUS, type Authenticate, type Caller, createAuthenticator } from "./auth/auth";
export { type AppDeps, createApiDeps, createDeps, type LocalFiles } from "./deps";
export { type BffEnv, type BffSettings, bffSettings, checkAuthSettings, checkLimitSettings, readBffEnv } from "./env";
export { ApiError } from "./http/errors";
export { createReport, getReportStatus } from "./reports/service";
export { closeServer, listen } from "./server";
export type { AppRouter } from "./trpc/router";
