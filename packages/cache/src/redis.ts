import { type CachedStatus, cachedStatus, DEFAULT_REDIS_PREFIX, isFinal } from "@reports/contracts";
import type { Logger } from "@reports/logger";
import { Redis, type RedisOptions, type Result } from "ioredis";
import { LRUCache } from "lru-cache";
import type { StatusCache, Unsubscribe } from "./cache";
import { ListenerRegistry } from "./listeners";

export interface RedisCacheConfig {
  /** `redis://…` or `rediss://…` */
  url: string;
  /** Prepended to every key and the event channel; default `reports:`. */
  keyPrefix?: string;
  /** How long a final (`done`/`error`) entry lives; default 24 h. */
  ttlSeconds?: number;
  /**
   * How long a `queued`/`processing` entry lives; default 60 s. Short, so a status whose
   * newer write was lost (Redis blipped while the worker published) heals from the database.
   */
  pendingTtlSeconds?: number;
  logger?: Logger;
  /**
   * Statuses held in this process (0, the default: none). With entries, `get` answers from memory without a
   * round trip while this process receives every status event (the subscriber connection is opened at once);
   * the events keep the entries exact, and the entries are dropped whenever the event stream breaks.
   */
  memoryEntries?: number;
  /**
   * How long a final status stays in memory; default 60 s. A final status never changes but may be deleted or
   * expired by retention, so it is not held for the whole of `ttlSeconds`.
   */
  memoryFinalTtlMs?: number;
  /**
   * ioredis options for both connections, over our defaults: every command gives up after
   * `commandTimeout` (1 s) and one reconnection, because a slow cache must not slow a request.
   */
  redisOptions?: RedisOptions;
}

const SET_IF_NEWER = "reportsSetStatusIfNewer";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /**
     * KEYS[1] entry; ARGV entry JSON, version, ttl seconds and, optionally, a channel the entry is published on
     * unless Redis holds a newer one → 1 written, 0 kept (already as new).
     */
    reportsSetStatusIfNewer(
      key: string,
      json: string,
      version: number,
      ttlSeconds: number,
      channel?: string,
    ): Result<number, Context>;
  }
}

// Compare-and-set in one script: two writers racing with versions 3 and 4 can never leave 3.
// An entry that does not decode is corrupt and gets replaced. With a channel, the entry is published in the same
// round trip when it is written or as new as the one held (a BFF's refill from the database may have won the race,
// and its watchers still wait for the event); an older one is not (they had the newer one).
const SET_IF_NEWER_LUA = `
local version = tonumber(ARGV[2])
local held = -1
local current = redis.call("GET", KEYS[1])
if current then
  local ok, entry = pcall(cjson.decode, current)
  if ok and type(entry) == "table" and type(entry.version) == "number" then
    held = entry.version
  end
end
if held > version then
  return 0
end
if ARGV[4] then
  redis.call("PUBLISH", ARGV[4], ARGV[1])
end
if held == version then
  return 0
end
redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[3])
return 1
`;

/** A status event naming requests that no longer exist: `{"forgotten": [requestId, …]}`. */
const FORGOTTEN = "forgotten";

const LOG_EVERY_MS = 10_000;
const SUBSCRIBE_WAIT_MS = 2_000;

/**
 * The Redis status cache: entries under `${prefix}status:${requestId}` with a TTL, events on the
 * pub/sub channel `${prefix}status-events` (one subscriber connection per cache, opened on the
 * first `subscribe`, fanned out in-process by request id). Redis being down makes `get` miss and
 * `set` return false, logged, never thrown.
 *
 * @example
 * const cache = createRedisCache({ url: "redis://127.0.0.1:6379", logger });
 * await cache.publish(status);                       // worker, after db.complete
 * const stop = cache.subscribe(id, (s) => send(s));  // BFF, for a status subscription
 */
export function createRedisCache(config: RedisCacheConfig): StatusCache {
  const prefix = config.keyPrefix ?? DEFAULT_REDIS_PREFIX;
  const ttlSeconds = config.ttlSeconds ?? 24 * 60 * 60;
  const pendingTtlSeconds = config.pendingTtlSeconds ?? 60;
  const channel = `${prefix}status-events`;
  const keyOf = (requestId: string) => `${prefix}status:${requestId}`;
  const log = config.logger;
  const options: RedisOptions = {
    // concurrent reads in one event-loop turn go out as one pipeline: fewer writes, more reads per second
    enableAutoPipelining: true,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    ...config.redisOptions,
  };

  const redis = new Redis(config.url, options);
  redis.defineCommand(SET_IF_NEWER, { numberOfKeys: 1, lua: SET_IF_NEWER_LUA });
  const registry = new ListenerRegistry();
  let subscriber: { connection: Redis; subscribed: Promise<boolean> } | undefined;
  let closed = false;
  const memory = createMemoryTier(config, pendingTtlSeconds);

  // One warning per connection outage, and command failures at most every 10 s: a dead Redis must not flood the logs.
  const watchConnection = (connection: Redis, role: string) => {
    let down = false;
    connection.on("error", (error: Error) => {
      if (down) return;
      down = true;
      log?.warn({ err: error, role }, "redis cache unavailable; serving from the database");
    });
    connection.on("ready", () => {
      if (down) log?.info({ role }, "redis cache available again");
      down = false;
    });
  };
  watchConnection(redis, "commands");

  let lastFailureLog = 0;
  let suppressed = 0;
  const failed = (operation: string, requestId: string, error: unknown) => {
    const now = Date.now();
    if (now - lastFailureLog < LOG_EVERY_MS) {
      suppressed += 1;
      return;
    }
    log?.warn({ err: error, operation, requestId, suppressed }, "redis cache operation failed");
    lastFailureLog = now;
    suppressed = 0;
  };

  async function get(requestId: string): Promise<CachedStatus | null> {
    const held = memory?.get(requestId);
    if (held) return held;
    const epoch = memory?.epoch();
    let raw: string | null;
    try {
      raw = await redis.get(keyOf(requestId));
    } catch (error) {
      failed("get", requestId, error);
      return null;
    }
    if (raw === null) return null;
    const parsed = parseEntry(raw);
    if (!parsed) log?.warn({ requestId }, "corrupt status cache entry; treating it as a miss");
    else if (epoch !== undefined) memory?.remember(parsed, epoch);
    return parsed;
  }

  /** Writes `status` unless Redis holds a newer one; with `channel`, publishes it there too, in the same script. */
  async function write(status: CachedStatus, channel?: string): Promise<boolean> {
    const epoch = memory?.epoch();
    try {
      const ttl = isFinal(status.status) ? ttlSeconds : pendingTtlSeconds;
      const json = JSON.stringify(status);
      const key = keyOf(status.requestId);
      const written = await (channel
        ? redis.reportsSetStatusIfNewer(key, json, status.version, ttl, channel)
        : redis.reportsSetStatusIfNewer(key, json, status.version, ttl));
      if (epoch !== undefined) memory?.remember(status, epoch);
      return written === 1;
    } catch (error) {
      failed(channel ? "publish" : "set", status.requestId, error);
      return false;
    }
  }

  /** One round trip: the entry and its event together (a status older than Redis holds is neither). */
  async function publish(status: CachedStatus): Promise<void> {
    await write(status, channel);
  }

  const set = (status: CachedStatus) => write(status);

  async function forget(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length === 0) return;
    memory?.forget(requestIds);
    try {
      await redis.unlink(...requestIds.map(keyOf));
      // every process holding statuses in memory drops these too
      await redis.publish(channel, JSON.stringify({ [FORGOTTEN]: requestIds }));
    } catch (error) {
      failed("forget", requestIds[0] as string, error);
    }
  }

  function openSubscriber() {
    // The subscriber waits for Redis as long as it takes (no command timeout, unlimited retries)
    // and re-subscribes after every reconnection; callers learn about delays through `ready`.
    const connection = new Redis(config.url, {
      ...options,
      commandTimeout: undefined,
      maxRetriesPerRequest: null,
      ...config.redisOptions,
      // we subscribe again ourselves after a reconnection: ioredis's own resubscription leaves its promise
      // unhandled, and a close while it is under way would be an unhandled rejection in the process
      autoResubscribe: false,
    });
    watchConnection(connection, "subscriber");
    connection.on("message", (from: string, message: string) => {
      if (from !== channel) return;
      if (message.startsWith(`{"${FORGOTTEN}":`)) {
        memory?.forget(parseForgotten(message));
        return;
      }
      const status = parseEntry(message);
      if (!status) {
        log?.warn({ channel }, "ignoring a malformed status event");
        return;
      }
      memory?.remember(status, memory.epoch());
      for (const error of registry.deliver(status)) {
        log?.error({ err: error, requestId: status.requestId }, "status listener threw");
      }
    });
    const subscribed = connection.subscribe(channel).then(
      () => true,
      (error: unknown) => {
        if (!closed) log?.warn({ err: error, channel }, "could not subscribe to status events");
        return false;
      },
    );
    // memory answers only while every event reaches it: an event missed while the stream was down would leave an
    // entry stale, so the entries go with the connection and come back (empty) once subscribed again
    void subscribed.then((ok) => ok && memory?.resume());
    connection.on("close", () => memory?.suspend());
    let connected = false;
    connection.on("ready", () => {
      if (!connected) {
        connected = true; // the first connection sends the subscription above
        return;
      }
      connection.subscribe(channel).then(
        () => memory?.resume(),
        (error: unknown) => {
          if (!closed) log?.warn({ err: error, channel }, "could not subscribe to status events again");
        },
      );
    });
    return { connection, subscribed };
  }

  function subscribe(requestId: string, listener: (status: CachedStatus) => void): Unsubscribe {
    if (closed) throw new Error("status cache is closed");
    subscriber ??= openSubscriber();
    const remove = registry.add(requestId, listener);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS);
      timer.unref();
    });
    const ready = Promise.race([subscriber.subscribed, timeout]).finally(() => clearTimeout(timer));
    return Object.assign(remove, { ready });
  }

  if (memory) subscriber = openSubscriber();

  async function close() {
    if (closed) return;
    closed = true;
    memory?.suspend();
    registry.clear();
    await Promise.all([quit(redis), subscriber ? quit(subscriber.connection) : undefined]);
  }

  return { get, set, publish, subscribe, forget, close };
}

/**
 * The statuses a process holds for `get` without a round trip, while its status event stream is up (`resume`),
 * and none while it is down (`suspend` drops them all). `epoch` counts the changes of state: a value read from
 * Redis is remembered only if no change happened since the read began (it could predate a missed event).
 */
function createMemoryTier(config: RedisCacheConfig, pendingTtlSeconds: number) {
  const max = config.memoryEntries ?? 0;
  if (max <= 0) return undefined;
  const finalTtlMs = config.memoryFinalTtlMs ?? 60_000;
  const entries = new LRUCache<string, CachedStatus>({ max });
  let live = false;
  let epoch = 0;
  return {
    epoch: () => epoch,
    get: (requestId: string) => (live ? entries.get(requestId) : undefined),
    /** Keeps `status` unless memory already holds it or a newer version; only while live and still at `since`. */
    remember(status: CachedStatus, since: number) {
      if (!live || since !== epoch) return;
      const held = entries.peek(status.requestId);
      if (held && held.version >= status.version) return;
      entries.set(status.requestId, status, { ttl: isFinal(status.status) ? finalTtlMs : pendingTtlSeconds * 1000 });
    },
    /** Drops these requests (deleted); a read under way when they went is not remembered either. */
    forget(requestIds: readonly string[]) {
      epoch += 1;
      for (const id of requestIds) entries.delete(id);
    },
    resume() {
      if (live) return;
      live = true;
      epoch += 1;
    },
    suspend() {
      if (!live) return;
      live = false;
      epoch += 1;
      entries.clear();
    },
  };
}

function parseEntry(raw: string): CachedStatus | null {
  try {
    const result = cachedStatus.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

function parseForgotten(message: string): string[] {
  try {
    const ids: unknown = JSON.parse(message)[FORGOTTEN];
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

/** QUIT when connected (lets replies drain), otherwise just drop the socket and stop reconnecting. */
async function quit(connection: Redis) {
  if (connection.status === "ready") {
    await connection.quit().catch(() => connection.disconnect());
  } else {
    connection.disconnect();
  }
}
