/**
 * True when `origin` is one of a site's allowed origins. An entry may start its host with `*.` to allow
 * every subdomain ("https://*.example.com" allows https://shop.example.com, not https://example.com).
 */
export function originAllowed(origin: string | null, allowed: readonly string[]): boolean {
  if (!origin) return false;
  const o = origin.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    const star = e.indexOf("://*.");
    if (star === -1) return e === o;
    const scheme = e.slice(0, star + 3);
    const suffix = e.slice(star + 4);
    return o.startsWith(scheme) && o.endsWith(suffix) && o.length > scheme.length + suffix.length;
  });
}
