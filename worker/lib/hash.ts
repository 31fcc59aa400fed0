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

/** Hex HMAC-SHA256 of a string under a key: how webhook notices are signed. */
export async function hmacSha256Hex(key: string, value: string): Promise<string> {
  const k = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", k, encoder.encode(value)));
}
