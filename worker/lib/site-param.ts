import type { Context } from "hono";
import type { SiteRow } from "../../schema";
import { findSite } from "../store/sites";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

/** The site named by the :site path parameter, or a 404. */
export async function siteFromPath(c: Context<AppEnv>): Promise<SiteRow> {
  const id = c.req.param("site") ?? "";
  const site = await findSite(c.var.db, id);
  if (!site) throw new ApiError("not_found", `unknown site "${id}"`);
  return site;
}
