import type { Context } from "hono";
import { html } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SiteRow } from "../../schema";
import { reaches } from "./app-env";
import type { Frame, SectionId } from "../console/frame";
import { listSites, findSite } from "../store/sites";
import type { ConsoleEnv } from "./console-session";
import { ApiError } from "./errors";

/** The sites the signed-in token may see. */
export async function visibleSites(c: Context<ConsoleEnv>): Promise<SiteRow[]> {
  return (await listSites(c.var.db)).filter((s) => reaches(c.var.caller, s.id));
}

/** The site named by the :site path parameter: 403 when the token is limited to other sites, 404 when unknown. */
export async function consoleSite(c: Context<ConsoleEnv>): Promise<SiteRow> {
  const id = c.req.param("site") ?? "";
  if (!reaches(c.var.caller, id)) throw new ApiError("forbidden", `your token may not reach site "${id}"`);
  const site = await findSite(c.var.db, id);
  if (!site) throw new ApiError("not_found", `unknown site "${id}"`);
  return site;
}

/** The frame of a console page: the signed-in role, the site switcher, the section. */
export async function frameFor(c: Context<ConsoleEnv>, title: string, site?: SiteRow, section?: SectionId): Promise<Frame> {
  const sites = await visibleSites(c);
  return {
    title,
    admin: c.var.caller.scope === "admin",
    csrf: c.var.session.csrf,
    sites: sites.map((s) => ({ id: s.id, name: s.name })),
    ...(site ? { site: { id: site.id, name: site.name } } : {}),
    ...(section ? { section } : {}),
    demo: site !== undefined && site.id === c.env.DEMO_SITE,
  };
}

/** Renders a console page (a JSX element) as an HTML document. */
export function page(c: Context, element: unknown, status: ContentfulStatusCode = 200) {
  return c.html(html`<!DOCTYPE html>${element}`, status);
}
