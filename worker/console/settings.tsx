import { Layout } from "./layout";
import { Csrf, Notice, Time } from "./components";
import type { Frame } from "./frame";

/** A site's settings as the page shows and edits them. */
export interface SettingsData {
  id: string;
  name: string;
  origins: string[];
  timezone: string;
  visitTimeoutMin: number;
  listHour: number;
  retentionDays: number;
  webhookUrl: string | null;
  rulesVersion: number;
  createdAt: string;
  /** The tag to paste into the site's pages. */
  scriptTag: string;
}

/** What a save did: a message, the webhook's new signing key (shown once), or the field errors. */
export interface SettingsOutcome {
  saved?: boolean;
  webhookSecret?: string;
  error?: string;
  /** What the admin typed, kept in the form when it was refused. */
  typed?: { name: string; origins: string; listHour: string; retentionDays: string; webhookUrl: string };
}

/** Site settings: origins, webhook, list hour and retention; the script tag with a copy button. */
export function SettingsPage({ frame, site, outcome = {} }: { frame: Frame; site: SettingsData; outcome?: SettingsOutcome }) {
  const typed = outcome.typed ?? {
    name: site.name,
    origins: site.origins.join("\n"),
    listHour: String(site.listHour),
    retentionDays: String(site.retentionDays),
    webhookUrl: site.webhookUrl ?? "",
  };
  const readOnly = !frame.admin;
  return (
    <Layout frame={frame}>
      <h1>Settings</h1>
      <section aria-labelledby="tag-title">
        <h2 id="tag-title">The script tag</h2>
        <p>Paste it into every page of the site, before <code>&lt;/head&gt;</code>.</p>
        <div class="copy-box">
          <pre id="script-tag" tabindex={0}>
            <code>{site.scriptTag}</code>
          </pre>
          <button type="button" data-copy="script-tag" class="js-only">
            Copy
          </button>
          <span class="copied" role="status" aria-live="polite"></span>
        </div>
      </section>
      {outcome.saved && <Notice kind="ok">Saved.</Notice>}
      {outcome.webhookSecret && (
        <Notice kind="ok">
          The webhook's signing key, shown this once: <code class="secret">{outcome.webhookSecret}</code>. Notices carry{" "}
          <code>X-Leadscore-Signature: sha256=&lt;HMAC of the body&gt;</code>.
        </Notice>
      )}
      {outcome.error && <Notice kind="error">{outcome.error}</Notice>}
      <section aria-labelledby="settings-title">
        <h2 id="settings-title">Site</h2>
        <form method="post" class="settings" aria-describedby={outcome.error ? undefined : "settings-note"}>
          <Csrf value={frame.csrf} />
          <label for="name">Name</label>
          <input id="name" name="name" value={typed.name} required maxlength={200} readonly={readOnly} />
          <label for="origins">Allowed origins, one per line</label>
          <textarea id="origins" name="origins" rows={3} readonly={readOnly} aria-describedby="origins-help">
            {typed.origins}
          </textarea>
          <p id="origins-help" class="help">
            Beacons are accepted only from these origins (scheme://host[:port], <code>*.</code> before a host for its subdomains).
          </p>
          <label for="webhookUrl">Prospect webhook URL</label>
          <input id="webhookUrl" name="webhookUrl" type="url" value={typed.webhookUrl} readonly={readOnly} aria-describedby="webhook-help" />
          <p id="webhook-help" class="help">
            Called with a signed notice the moment a lead becomes a prospect. Empty removes it.
          </p>
          <div class="pair">
            <div>
              <label for="listHour">Daily list hour ({site.timezone})</label>
              <input id="listHour" name="listHour" type="number" min={0} max={23} value={typed.listHour} readonly={readOnly} />
            </div>
            <div>
              <label for="retentionDays">Keep raw events for (days)</label>
              <input id="retentionDays" name="retentionDays" type="number" min={1} max={3650} value={typed.retentionDays} readonly={readOnly} />
            </div>
          </div>
          {frame.admin ? <button type="submit">Save settings</button> : <p class="help">A read token shows the settings; an admin token changes them.</p>}
        </form>
        <dl class="facts" id="settings-note">
          <dt>Site id</dt>
          <dd>
            <code>{site.id}</code>
          </dd>
          <dt>Timezone</dt>
          <dd>{site.timezone}</dd>
          <dt>Visit timeout</dt>
          <dd>{site.visitTimeoutMin} minutes</dd>
          <dt>Rules version</dt>
          <dd>{site.rulesVersion}</dd>
          <dt>Created</dt>
          <dd>
            <Time at={site.createdAt} />
          </dd>
        </dl>
        <p class="help">The timezone and visit timeout shape every stored score, so they are set when the site is created.</p>
      </section>
    </Layout>
  );
}
