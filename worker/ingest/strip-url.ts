/** A URL path without `;name=value` path parameters (`;jsessionid=...` and the like carry sessions). */
export function pathWithoutParams(pathname: string): string {
  return pathname.replace(/;[^/]*/g, "");
}

/**
 * A file or media URL as the collector keeps it: origin and path only. Query strings, fragments and path
 * parameters can carry emails, tokens and session ids, and no rule looks at them.
 */
export function bareUrl(raw: string): string {
  if (URL.canParse(raw)) {
    const url = new URL(raw);
    if (url.protocol === "https:" || url.protocol === "http:") return `${url.origin}${pathWithoutParams(url.pathname)}`;
  }
  // A relative path, a blob: or data: URL: everything from the first ?, # or ; goes.
  return raw.split(/[?#;]/)[0] ?? "";
}

/** The property of each tracked event type that holds a URL. */
const URL_PROPS: Readonly<Record<string, string>> = { download: "file", video_play: "src" };

/** Event properties with their URL property (a download's file, a video's source) made bare. */
export function withBareUrls(type: string, props: Record<string, unknown>): Record<string, unknown> {
  const key = Object.hasOwn(URL_PROPS, type) ? URL_PROPS[type] : undefined;
  const value = key === undefined ? undefined : props[key];
  return key !== undefined && typeof value === "string" ? { ...props, [key]: bareUrl(value) } : props;
}
