export type { StatusCache, Unsubscribe } from "./cache";
export { createMemoryCache } from "./memory";
export { createRedisCache, type RedisCacheConfig } from "./redis";
