const encoder = new TextEncoder();

/** SHA-256 of a string. */
export function sha256(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

/** Hex SHA-256 of a string: how token secrets and erased visitor ids are stored. */
export async function sha256Hex(value: string): Promise<string> {
  return [...new Uint8Array(await sha256(value))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
