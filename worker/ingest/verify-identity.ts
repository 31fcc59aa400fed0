import { hex } from "../lib/hash";
import { VERIFIED_PROP } from "../scoring/engine";

const encoder = new TextEncoder();

/** The identify property that carries the signature: hex HMAC-SHA256 of the email under the site's identity secret. */
export const SIG_PROP = "sig";

/** A new identity secret for a site (shown to its admin once). */
export function newIdentitySecret(): string {
  return `idsec_${hex(crypto.getRandomValues(new Uint8Array(32)).buffer)}`;
}

/** Hex string to bytes; the caller has checked it is hex of even length. */
function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Does `sig` sign `email` (exactly as sent) under the site's identity secret? A site without a secret
 * verifies nothing. The comparison is WebCrypto's, which takes the same time whatever the bytes.
 */
export async function signatureValid(secret: string | null, email: string, sig: string): Promise<boolean> {
  if (secret === null || !/^[0-9a-fA-F]{64}$/.test(sig)) return false;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, fromHex(sig), encoder.encode(email));
}

/**
 * An identify's properties as the collector keeps them: the signature is dropped (it proves, it is no
 * trait), and a verified identify carries the verified mark the engine reads.
 */
export function identifyProps(props: Record<string, unknown>, verified: boolean): Record<string, unknown> {
  const { [SIG_PROP]: _sig, ...kept } = props;
  return verified ? { ...kept, [VERIFIED_PROP]: true } : kept;
}

/** What the verification needs of a beacon event. */
interface SignableEvent {
  n: string;
  d?: Record<string, unknown> | undefined;
}

/**
 * Which of a beacon's events are verified identifies: an identify whose `sig` signs its email under the
 * site's identity secret. The secret is read only when some identify carries a signature.
 */
export async function verifiedIdentifies(readSecret: () => Promise<string | null>, events: readonly SignableEvent[]): Promise<boolean[]> {
  const signed = (e: SignableEvent) => e.n === "identify" && typeof e.d?.[SIG_PROP] === "string" && typeof e.d.email === "string";
  if (!events.some(signed)) return events.map(() => false);
  const secret = await readSecret();
  return Promise.all(events.map((e) => (signed(e) ? signatureValid(secret, e.d?.email as string, e.d?.[SIG_PROP] as string) : false)));
}
