export { createDb, type Database, type DbHandle, MIGRATIONS_FOLDER } from "./client";
export {
  type Claim,
  createReportRepository,
  type ReportRepository,
  toCachedStatus,
  withAdvisoryLock,
} from "./repository";
export type { ReportRequestRow } from "./schema";
