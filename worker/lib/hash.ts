const encoder = new TextEncoder();

/** SHA-256 of a string. */
export function sha256(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

/** Bytes as lowercase hex. */
export function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of a string: how token secrets and erased visitor ids are stored. */
export async function sha256Hex(value: string): Promise<string> {
  return hex(await sha256(value));
}

/** HMAC-SHA256 of a string under a string key, as lowercase hex. */
export async function hmacSha256Hex(key: string, value: string): Promise<string> {
  return hex(await hmacSha256(encoder.encode(key), value));
}

async function hmacSha256(key: Uint8Array, value: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, encoder.encode(value));
}

/** Standard base64 (with padding) of HMAC-SHA256 under raw key bytes: how webhook notices are signed. */
export async function hmacSha256Base64(key: Uint8Array, value: string): Promise<string> {
  return btoa(String.fromCharCode(...new Uint8Array(await hmacSha256(key, value))));
}

/**
 * The key bytes of a webhook secret `whsec_<base64>` (Standard Webhooks). Keys made before leadscore
 * followed that convention are base64url; both alphabets decode to the same bytes.
 */
export function webhookKey(secret: string): Uint8Array {
  const b64 = secret.replace(/^whsec_/, "").replaceAll("-", "+").replaceAll("_", "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}
