export type { StatusCache, Unsubscribe } from "./cache";
export { createMemoryCache } from "./memory";
export { createNoCache } from "./none";
export { createRedisCache, type RedisCacheConfig } from "./redis";
