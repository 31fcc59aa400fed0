import type { Context } from "hono";
import type { SiteRow, VisitorRow } from "../../schema";
import { clientId } from "../ingest/ids";
import { emailAddress } from "../ingest/props";
import { findVisitor, leadByEmail } from "../store/visitor-reads";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

/**
 * The lead the :id path parameter names: a visitor id (a visitor merged into a lead answers with the
 * lead) or an email address. A 400 for neither, a 404 for none on the site.
 */
export async function leadFromPath(c: Context<AppEnv>, site: SiteRow): Promise<VisitorRow> {
  const id = c.req.param("id") ?? "";
  let found: VisitorRow | undefined;
  if (id.includes("@")) {
    if (!emailAddress.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id: not an email address");
    found = await leadByEmail(c.var.db, site.id, id);
  } else {
    if (!clientId.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id");
    found = await findVisitor(c.var.db, site.id, id);
  }
  if (!found) throw new ApiError("not_found", `no visitor "${id}" on site "${site.id}"`);
  return (found.leadId ? await findVisitor(c.var.db, site.id, found.leadId) : undefined) ?? found;
}
