import { bodyLimit } from "hono/body-limit";
import { errorBody } from "./errors";

/** Largest JSON body the API reads (a rule set of 200 rules fits many times over). */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/** Refuses an API request body over MAX_API_BODY_BYTES with a 413 in the error envelope, before reading it all. */
export const apiBodyLimit = bodyLimit({
  maxSize: MAX_API_BODY_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", `a request body is at most ${MAX_API_BODY_BYTES} bytes`), 413),
});
