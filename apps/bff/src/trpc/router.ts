import { adminRouter } from "./admin";
import { definitionsRouter } from "./definitions";
import { router } from "./init";
import { reportsRouter } from "./reports";

/** The BFF's tRPC API at `/trpc`: one router per part. */
export const appRouter = router({
  admin: adminRouter,
  definitions: definitionsRouter,
  reports: reportsRouter,
});

/** The API's type, imported (type-only) by `@reports/sdk`. */
export type AppRouter = typeof appRouter;
