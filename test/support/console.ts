import { call, TOKEN } from "./api";

/** The collector's origin in the integration tests: console forms must come from it. */
export const CONSOLE_ORIGIN = "https://collector.test";

/** A signed-in console session: its cookie and the form token of its pages. */
export interface ConsoleUser {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/** The value of the first hidden _csrf field of a page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no _csrf field on the page");
  return m[1] as string;
}

/**
 * Signs in to the console with a token (the bootstrap token unless given) and answers the session, with
 * the form token read from a page of the site given.
 */
export async function signIn(site: string, token = TOKEN): Promise<ConsoleUser> {
  const res = await call("/app/sign-in", {
    method: "POST",
    headers: { origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, next: "/app" }),
    redirect: "manual",
  });
  if (res.status !== 303) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const get = (path: string) => call(path, { headers: { cookie }, redirect: "manual" });
  const user: ConsoleUser = {
    cookie,
    csrf: "",
    get,
    post: (path, fields = {}, headers = {}) =>
      call(path, {
        method: "POST",
        headers: { cookie, origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ _csrf: user.csrf, ...fields }),
        redirect: "manual",
      }),
  };
  const settings = await get(`/app/sites/${site}/settings`);
  if (settings.status !== 200) throw new Error(`settings page: ${settings.status} ${await settings.text()}`);
  user.csrf = csrfOf(await settings.text());
  return user;
}
