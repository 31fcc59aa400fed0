import { BarePage } from "./layout";
import { Notice } from "./components";

/** The sign-in form: an API token (admin or read) opens a console session. */
export function SignInPage({ next, error, signedOut }: { next: string; error?: string; signedOut?: boolean }) {
  return (
    <BarePage title="Sign in">
      <div class="sign-in">
        <h1>leadscore</h1>
        <p>Sign in with an API token. A read token shows everything; an admin token can also change rules, settings and erase leads.</p>
        {signedOut && <Notice kind="ok">You are signed out.</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <form method="post" action="/app/sign-in">
          <input type="hidden" name="next" value={next} />
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required aria-describedby="token-help" aria-invalid={error ? "true" : undefined} />
          <p id="token-help" class="help">
            <code>npm start</code> keeps its admin token in <code>.dev.vars</code>; admins make read tokens with <code>POST /api/tokens</code>.
          </p>
          <button type="submit">Sign in</button>
        </form>
      </div>
    </BarePage>
  );
}

/** A console error page: what went wrong and a way back. */
export function ErrorPage({ status, message }: { status: number; message: string }) {
  const title = status === 403 ? "Not allowed" : status === 404 ? "Not found" : status === 401 ? "Signed out" : "Something went wrong";
  return (
    <BarePage title={title}>
      <div class="sign-in">
        <h1>{title}</h1>
        <Notice kind="error">{message}</Notice>
        <p>
          <a href="/app">Back to the console</a>
        </p>
      </div>
    </BarePage>
  );
}
