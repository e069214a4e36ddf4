import { BlockList, isIP } from "node:net";
import type { FieldError } from "@reports/contracts";

// Every range that is not public unicast, as the worker's delivery agent refuses them (request-filtering-agent):
// IPv4-mapped IPv6 addresses are matched against the IPv4 rules by BlockList itself.
const notPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  notPublic.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  notPublic.addSubnet(network, prefix, "ipv6");
}

/**
 * What is wrong with a webhook URL at submission, or null: a scheme other than http(s), or a literal address that
 * is private, loopback, link-local or otherwise not public (unless its host is in `allowedHosts`). Names are
 * resolved only at delivery, where the worker checks the address it actually connects to.
 */
export function webhookUrlProblem(url: string, allowedHosts: ReadonlySet<string>): FieldError | null {
  const problem = (message: string) => ({ path: "webhook.url", message });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return problem("must be an http:// or https:// URL");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return problem("must be an http:// or https:// URL");
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const family = isIP(host);
  if (family === 0 || allowedHosts.has(host)) return null;
  if (notPublic.check(host, family === 4 ? "ipv4" : "ipv6")) {
    return problem(`${host} is not a public address (allow it with WEBHOOK_ALLOWED_HOSTS)`);
  }
  return null;
}
