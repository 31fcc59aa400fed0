import { z } from "zod";

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

/** Event properties and traits: a flat object of at most 20 short scalars. */
export const eventProps = z
  // Names starting with __ are refused: zod would drop __proto__ silently.
  .record(z.string().regex(/^(?!__)[A-Za-z0-9_]{1,40}$/, "property names use 1-40 of A-Z, a-z, 0-9 and _, not starting with __"), scalar)
  .refine((d) => Object.keys(d).length <= 20, "at most 20 properties");

/** An email address as leadscore keeps it. */
export const emailAddress = z.email().max(254);
