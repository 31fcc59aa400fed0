import { Layout } from "./layout";
import { Csrf, Notice, num, Time, TableWrap } from "./components";
import { sitePath, type Frame } from "./frame";
import type { RulePreview, PreviewLead } from "../ingest/rule-preview";

/** The editor's state: the text, the version in force, and what the last check found. */
export interface RulesEditor {
  text: string;
  version: number;
  createdAt: string;
  /** Where the text is wrong (JSON syntax or a rule), shown under the editor. */
  error?: string;
  preview?: RulePreview;
  published?: number;
}

function LeadList({ siteId, leads, empty }: { siteId: string; leads: PreviewLead[]; empty: string }) {
  if (leads.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="plain">
      {leads.slice(0, 100).map((l) => (
        <li>
          <a href={sitePath(siteId, `/leads/${encodeURIComponent(l.visitorId)}`)}>{l.email ?? l.visitorId}</a>
        </li>
      ))}
      {leads.length > 100 && <li>and {leads.length - 100} more</li>}
    </ul>
  );
}

/** The rules editor: JSON with its errors in place, a what-if preview by lead, and publishing. */
export function RulesPage({ frame, editor }: { frame: Frame; editor: RulesEditor }) {
  const siteId = frame.site?.id ?? "";
  const p = editor.preview;
  return (
    <Layout frame={frame}>
      <h1>Rules</h1>
      <p class="lede">
        Version {editor.version} in force since <Time at={editor.createdAt} />. Publishing stores a new version and rescores every stored event under it.
      </p>
      {editor.published !== undefined && <Notice kind="ok">Published version {editor.published}; every lead was rescored.</Notice>}
      <form method="post" class="rules-form">
        <Csrf value={frame.csrf} />
        <input type="hidden" name="version" value={String(editor.version)} />
        <label for="rules">Rule set (JSON)</label>
        <textarea
          id="rules"
          name="rules"
          rows={24}
          spellcheck={false}
          readonly={!frame.admin}
          aria-invalid={editor.error ? "true" : undefined}
          aria-describedby={editor.error ? "rules-error" : "rules-help"}
        >
          {editor.text}
        </textarea>
        {editor.error ? (
          <p id="rules-error" class="field-error" role="alert">
            {editor.error}
          </p>
        ) : (
          <p id="rules-help" class="help">
            The fields are described in the README. Preview shows who would become or stop being a prospect before anything changes.
          </p>
        )}
        {frame.admin ? (
          <div class="actions">
            <button type="submit" name="action" value="preview">
              Check and preview
            </button>
            <button type="submit" name="action" value="publish" class="primary">
              Publish
            </button>
          </div>
        ) : (
          <p class="help">A read token shows the rules; an admin token changes them.</p>
        )}
      </form>
      {p && (
        <section aria-labelledby="preview-title" class="preview">
          <h2 id="preview-title">What would change</h2>
          <p>
            The rules are valid. Scored again under them, {num(p.visitors)} leads: {p.becomeProspects.length} would become prospects, {p.stopBeingProspects.length} would stop
            being prospects, {p.changedScores.length} scores change. Nothing has been stored yet.
          </p>
          <div class="grid two">
            <div>
              <h3>Would become prospects</h3>
              <LeadList siteId={siteId} leads={p.becomeProspects} empty="Nobody." />
            </div>
            <div>
              <h3>Would stop being prospects</h3>
              <LeadList siteId={siteId} leads={p.stopBeingProspects} empty="Nobody." />
            </div>
          </div>
          {p.changedScores.length > 0 && (
            <TableWrap label="Biggest score changes">
              <table class="data">
                <caption>Biggest score changes</caption>
                <thead>
                  <tr>
                    <th scope="col">Lead</th>
                    <th scope="col" class="num">Now</th>
                    <th scope="col" class="num">Under these rules</th>
                  </tr>
                </thead>
                <tbody>
                  {p.changedScores.slice(0, 20).map((s) => (
                    <tr>
                      <th scope="row">{s.email ?? s.visitorId}</th>
                      <td class="num">{num(s.before)}</td>
                      <td class="num">{num(s.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </section>
      )}
    </Layout>
  );
}
