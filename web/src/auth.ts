// Who is signed in. The token lives in this module's memory and, so that a
// reload of the tab keeps the session, in sessionStorage (this tab, this
// origin only); never in localStorage or a cookie. The gateway verifies it on
// every call: the claims read here only decide which pages are shown.

export type Role =
  | 'national_admin'
  | 'province_admin'
  | 'inspector'
  | 'institution'
  | 'employer'
  | 'worker'
  | 'editor';

export interface Claims {
  sub: string;
  role: Role;
  province?: string;
  org?: string;
  exp: number;
}

const KEY = 'osh.token';
let token: string | null = sessionStorage.getItem(KEY);
const listeners: Array<() => void> = [];

function base64UrlDecode(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// The claims of a compact JWT, or null when it is not one, lacks a role or expired.
export function readClaims(jwt: string, nowSeconds = Date.now() / 1000): Claims | null {
  const parts = jwt.trim().split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1])) as Partial<Claims>;
    if (typeof claims.role !== 'string' || typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return null;
    return claims as Claims;
  } catch {
    return null;
  }
}

export function currentToken(): string | null {
  if (token && !readClaims(token)) signOut();
  return token;
}

export function currentClaims(): Claims | null {
  const t = currentToken();
  return t ? readClaims(t) : null;
}

export function signIn(jwt: string): Claims | null {
  const claims = readClaims(jwt);
  if (!claims) return null;
  token = jwt.trim();
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l());
  return claims;
}

export function signOut(): void {
  token = null;
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function onAuthChange(listener: () => void): void {
  listeners.push(listener);
}

// --- OpenID Connect, authorization code with PKCE (RFC 7636) -------------
// Configured by the operator in /config.json; the console is a public client
// (no secret). Not exercised against a real identity provider in the tests.

export interface OidcConfig {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scope?: string;
}

let config: { oidc: OidcConfig | null } | null = null;

export async function loadConfig(): Promise<{ oidc: OidcConfig | null }> {
  if (config) return config;
  try {
    const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
    config = response.ok ? ((await response.json()) as { oidc: OidcConfig | null }) : { oidc: null };
  } catch {
    config = { oidc: null };
  }
  return config;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

function redirectUri(): string {
  return `${location.origin}/auth/callback`;
}

// Sends the browser to the provider; it comes back to /auth/callback.
export async function startOidcSignIn(oidc: OidcConfig): Promise<void> {
  const verifier = randomText(48);
  const state = randomText(16);
  sessionStorage.setItem('osh.pkce', JSON.stringify({ verifier, state }));
  const url = new URL(oidc.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope ?? 'openid',
    state,
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

// Completes the flow on /auth/callback: checks the state, exchanges the code
// with the verifier at the token endpoint and signs in with the access token.
export async function completeOidcSignIn(oidc: OidcConfig, callback: URL): Promise<Claims> {
  const saved = JSON.parse(sessionStorage.getItem('osh.pkce') ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem('osh.pkce');
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`${error}: ${callback.searchParams.get('error_description') ?? ''}`);
  const code = callback.searchParams.get('code');
  if (!saved || !code || callback.searchParams.get('state') !== saved.state) {
    throw new Error('the sign-in answer does not match the request (state)');
  }
  const response = await fetch(oidc.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: saved.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token) throw new Error(body.error ?? `token endpoint answered ${response.status}`);
  const claims = signIn(body.access_token);
  if (!claims) throw new Error('the provider\'s token carries no platform role');
  return claims;
}
