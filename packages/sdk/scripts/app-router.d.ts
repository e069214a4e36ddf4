// The declaration build's stand-in for `@reports/bff`: the SDK's public types never mention the router,
// so its declarations need not compile the BFF's source (whose inferred types are not portable).
// biome-ignore lint/suspicious/noExplicitAny: a stand-in only the declaration build sees
export type AppRouter = any;
