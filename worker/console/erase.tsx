import { Layout } from "./layout";
import { Csrf, Notice } from "./components";
import { sitePath, type Frame } from "./frame";

/** The erase confirmation: the admin types the lead's email (or id) to confirm. */
export function ErasePage({ frame, lead, error }: { frame: Frame; lead: { id: string; email: string | null; visitorIds: string[]; events: number }; error?: string }) {
  const siteId = frame.site?.id ?? "";
  const confirmWith = lead.email ?? lead.id;
  return (
    <Layout frame={frame}>
      <h1>Erase {confirmWith}?</h1>
      <p>
        This deletes {lead.events} stored events, the score and the identity of this person under {lead.visitorIds.length} visitor ids, and removes them from stored
        prospect lists. It cannot be undone, and the ids are never tracked again.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      <form method="post" class="settings">
        <Csrf value={frame.csrf} />
        <label for="confirm">
          Type <code>{confirmWith}</code> to confirm
        </label>
        <input id="confirm" name="confirm" required autocomplete="off" aria-invalid={error ? "true" : undefined} />
        <div class="actions">
          <button type="submit" class="danger">
            Erase for good
          </button>
          <a href={sitePath(siteId, `/leads/${encodeURIComponent(lead.id)}`)}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

/** What an erasure removed. */
export function ErasedPage({ frame, who, erased }: { frame: Frame; who: string; erased: { events: number; prospectLists: number; visitorIds: number } }) {
  return (
    <Layout frame={frame}>
      <h1>Erased</h1>
      <Notice kind="ok">
        {who}: {erased.events} events and {erased.visitorIds} visitor ids deleted, {erased.prospectLists} stored lists updated.
      </Notice>
      <p>
        <a href={sitePath(frame.site?.id ?? "", "/leads")}>Back to the leads</a>
      </p>
    </Layout>
  );
}
