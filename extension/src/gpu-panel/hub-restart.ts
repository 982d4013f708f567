/**
 * "Restart with these resources" under a JupyterHub, designed around the Hub's tokens:
 *
 * - The server's own Hub token (the OAuth token behind JupyterLab's requests) may not start or stop
 *   servers by default and is deleted when the server stops, so nothing here uses it.
 * - The browser is logged in to the Hub itself (its login cookie, path /hub/). With that cookie and
 *   the Hub's XSRF token (from a Hub page's `jhdata.xsrf_token`) it may stop and start its own
 *   servers — exactly what the Hub's home page does — in JupyterHub 4, 5 and 6.
 *
 * The flow: read the XSRF token from `<hub>/home`, stop this server through the REST API, wait until
 * the Hub reports it stopped, then start it again, either by submitting the Hub's spawn form with the
 * chosen fields (`form`: the Hub's own options_from_form turns them into user_options, as at the
 * first start) or through the REST API with ready user_options (`api`: for the site's profiles; the
 * request body is `{"user_options": …}` from JupyterHub 6 on, the user_options themselves before).
 * Both end on the Hub's spawn-pending page, which forwards to `next` — this workspace — when ready.
 *
 * `fetch` is a parameter so that the flow runs against a real Hub in Node tests as in the browser.
 */

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface HubTarget {
  /** The Hub's URL prefix, e.g. `/hub/` (from JUPYTERHUB_BASE_URL). Absolute URLs work too. */
  hubPrefix: string;
  user: string;
  /** '' for the default server. */
  serverName: string;
}

/** A failure with the Hub's own message (shown as "Restart failed: …"). */
export class HubError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'HubError';
  }
}

const enc = encodeURIComponent;

/** `<hub>api/users/<user>/server` or `…/servers/<name>`. */
export function serverApiUrl(t: HubTarget): string {
  const user = `${t.hubPrefix}api/users/${enc(t.user)}`;
  return t.serverName ? `${user}/servers/${enc(t.serverName)}` : `${user}/server`;
}

/** `<hub>spawn/<user>[/<name>]` or `<hub>spawn-pending/<user>[/<name>]`, with `next`. */
export function hubPageUrl(t: HubTarget, page: 'spawn' | 'spawn-pending', next: string, extra: Record<string, string> = {}): string {
  const path = `${t.hubPrefix}${page}/${enc(t.user)}${t.serverName ? `/${enc(t.serverName)}` : ''}`;
  const query = new URLSearchParams({ ...extra, next }).toString();
  return `${path}?${query}`;
}

/** The JSON body of the REST start request: JupyterHub 6 wants `{"user_options": …}`, older ones the options. */
export function startBody(hubVersion: string, userOptions: Record<string, unknown>): Record<string, unknown> {
  const major = Number.parseInt(hubVersion, 10);
  return Number.isFinite(major) && major >= 6 ? { user_options: userOptions } : userOptions;
}

/** The XSRF token in a Hub page (`xsrf_token: "…"` in its jhdata), or null. */
export function xsrfFromPage(html: string): string | null {
  return /xsrf_token\s*:\s*"([^"]+)"/.exec(html)?.[1] ?? null;
}

/** True when the user model says the server is gone or stopped (not ready, nothing pending). */
export function serverStopped(userModel: { servers?: Record<string, { ready?: boolean; pending?: string | null }> }, serverName: string): boolean {
  const server = userModel.servers?.[serverName];
  return !server || (!server.ready && !server.pending);
}

async function hubMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    if (body?.message) return `${body.message} (HTTP ${response.status})`;
  } catch {
    // not JSON: an HTML error page
  }
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  return `${title || response.statusText || 'request failed'} (HTTP ${response.status})`;
}

/** A session with the Hub: its version and XSRF token, and requests that carry them. */
export class HubSession {
  private constructor(
    readonly target: HubTarget,
    readonly version: string,
    readonly xsrf: string,
    private readonly fetch: Fetch,
  ) {}

  static async open(target: HubTarget, fetchImpl: Fetch): Promise<HubSession> {
    const info = await fetchImpl(`${target.hubPrefix}api/`, { credentials: 'same-origin' });
    if (!info.ok) throw new HubError(`the Hub API did not answer: ${await hubMessage(info)}`, info.status);
    const { version } = (await info.json()) as { version: string };
    const home = await fetchImpl(`${target.hubPrefix}home`, { credentials: 'same-origin' });
    const xsrf = home.ok ? xsrfFromPage(await home.text()) : null;
    if (!xsrf) throw new HubError(`cannot read the Hub's XSRF token from ${target.hubPrefix}home (HTTP ${home.status}): log in to the Hub again`);
    return new HubSession(target, version, xsrf, fetchImpl);
  }

  request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('X-XSRFToken', this.xsrf);
    return this.fetch(url, { ...init, headers, credentials: 'same-origin' });
  }

  async userModel(): Promise<{ servers?: Record<string, { ready?: boolean; pending?: string | null; user_options?: Record<string, unknown> }> }> {
    const r = await this.request(`${this.target.hubPrefix}api/users/${enc(this.target.user)}`);
    if (!r.ok) throw new HubError(`cannot read the server's state: ${await hubMessage(r)}`, r.status);
    return r.json();
  }

  /** Stops the server and waits until the Hub reports it stopped. */
  async stop(timeoutMs = 300_000, pollMs = 1000): Promise<void> {
    const r = await this.request(serverApiUrl(this.target), { method: 'DELETE' });
    if (!(r.ok || r.status === 204)) throw new HubError(`the Hub refused to stop the server: ${await hubMessage(r)}`, r.status);
    const end = Date.now() + timeoutMs;
    while (!serverStopped(await this.userModel(), this.target.serverName)) {
      if (Date.now() > end) throw new HubError(`the server did not stop within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Starts the server through the REST API with these user_options (version-aware body). */
  async startWithOptions(userOptions: Record<string, unknown>): Promise<void> {
    const r = await this.request(serverApiUrl(this.target), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(startBody(this.version, userOptions)),
    });
    if (!(r.status === 201 || r.status === 202)) throw new HubError(`the Hub refused to start the server: ${await hubMessage(r)}`, r.status);
  }
}

/** What to restart with: form fields for the Hub's spawn form, or ready user_options for the REST API. */
export type RestartChoice = { kind: 'form'; fields: [string, string][] } | { kind: 'api'; userOptions: Record<string, unknown> };

/**
 * Restarts this server with other resources and brings the browser back to `next`. `navigate`
 * performs the final navigation (a form POST or a page load); in the browser it leaves the page.
 */
export async function restartWithResources(
  target: HubTarget,
  choice: RestartChoice,
  next: string,
  deps: { fetch: Fetch; navigate: (how: { url: string; post?: [string, string][] }) => void; progress?: (step: string) => void },
): Promise<void> {
  const say = deps.progress ?? (() => undefined);
  say('Contacting the Hub…');
  const session = await HubSession.open(target, deps.fetch);
  say('Stopping this server…');
  await session.stop();
  if (choice.kind === 'form') {
    say('Starting it with the new resources…');
    // As in the Hub's own form: the XSRF token in the action URL, so it does not join the form data.
    deps.navigate({ url: hubPageUrl(target, 'spawn', next, { _xsrf: session.xsrf }), post: choice.fields });
  } else {
    say('Starting it with the new resources…');
    await session.startWithOptions(choice.userOptions);
    deps.navigate({ url: hubPageUrl(target, 'spawn-pending', next) });
  }
}
