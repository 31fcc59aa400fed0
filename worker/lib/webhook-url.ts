// Where the collector may POST prospect notices. A webhook URL is set by an admin but fetched by the
// collector from inside Cloudflare's network (or a self-hoster's), so a URL aimed at loopback, a private
// network or a cloud metadata service would turn the webhook into a request forger (SSRF). The check runs
// when the URL is set and again before every delivery; redirects are never followed (see webhook.ts).

/** Host names that always mean this machine, its network, or a metadata service. */
const LOCAL_NAMES = new Set(["localhost", "localtest.me", "lvh.me", "vcap.me", "metadata", "metadata.google.internal", "instance-data", "kubernetes.default.svc"]);

/** Suffixes of names that resolve to loopback or private addresses, or to whatever address they spell. */
const LOCAL_SUFFIXES = [
  ".localhost",
  ".local",
  ".localdomain",
  ".internal",
  ".intranet",
  ".lan",
  ".home.arpa",
  ".localtest.me",
  ".lvh.me",
  ".vcap.me",
  ".nip.io",
  ".sslip.io",
  ".xip.io",
  ".traefik.me",
  ".svc.cluster.local",
];

/** IPv4 ranges that are not the public internet: [first octets as a number, prefix length]. */
const PRIVATE_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function privateV4(ip: string): boolean {
  const n = v4Number(ip);
  return PRIVATE_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4Number(base) / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (compressed, lowercase, no zone). */
function v6Groups(ip: string): number[] {
  const [head = "", tail] = ip.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * IPv6 is allowed only in global unicast (2000::/3), less the blocks that are documentation or carry an
 * IPv4 address inside (6to4, Teredo), whose IPv4 part could be private. Everything else (loopback ::1,
 * unspecified ::, IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, unique local fc00::/7, link-local fe80::/10,
 * multicast ff00::/8) is refused.
 */
function privateV6(ip: string): boolean {
  const [a = 0, b = 0] = v6Groups(ip);
  if (a >> 13 !== 1) return true;
  if (a === 0x2001 && b === 0x0db8) return true; // documentation
  if (a === 0x2002) return true; // 6to4
  if (a === 0x2001 && b === 0) return true; // Teredo
  return false;
}

/** True for a host the collector must not send to: loopback, private, link-local, metadata and the like. */
export function isLocalHost(hostname: string): boolean {
  // The URL parser has already turned decimal, octal and hex IPv4 forms (http://2130706433/,
  // http://0x7f.1/, http://017700000001/) into dotted quads, and lowercased names.
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host.startsWith("[")) return privateV6(host.slice(1, -1));
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return privateV4(host);
  // A single-label name ("intranet", "metadata") resolves through the local network's search domains.
  if (!host.includes(".")) return true;
  return LOCAL_NAMES.has(host) || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** True for http://localhost, http://127.0.0.1 and http://[::1]: a receiver on the developer's own machine. */
function isDevLoopback(url: URL): boolean {
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

/**
 * Why a webhook URL is refused, or null when the collector may send to it. `allowLocal` (local development
 * only: ALLOW_LOCAL_WEBHOOKS) admits http to this machine's loopback, where a developer runs a receiver.
 */
export function webhookUrlProblem(raw: string, allowLocal: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (allowLocal && isDevLoopback(url)) return null;
  if (url.protocol !== "https:") return "a webhook URL is https";
  if (url.username || url.password) return "a webhook URL carries no user name or password";
  if (isLocalHost(url.hostname)) return `${url.hostname} is a loopback, private, link-local or metadata address`;
  return null;
}

/** Whether this deployment lets webhooks go to loopback (`ALLOW_LOCAL_WEBHOOKS=1`, set by `npm start` and the tests). */
export function localWebhooksAllowed(env: { ALLOW_LOCAL_WEBHOOKS?: string }): boolean {
  return env.ALLOW_LOCAL_WEBHOOKS === "1" || env.ALLOW_LOCAL_WEBHOOKS === "true";
}
