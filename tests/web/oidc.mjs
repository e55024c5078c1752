// Sign-in through an OpenID Connect provider in the browser test.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { check, env, newPage } from './harness.mjs';

const { BASE, IDP_PORT, OIDC_TOKEN } = env;

// --- sign-in through an OpenID Connect provider: authorization code + PKCE ---------
// A stand-in provider on IDP_PORT (no real identity provider is reachable
// here): /authorize remembers the S256 challenge and sends the browser back
// with a code; /token gives the platform token only for the verifier that
// hashes to that challenge. /config.json is answered as an operator would
// configure it.
export async function oidcSignIn() {
  const issued = new Map();
  const idp = `http://127.0.0.1:${IDP_PORT}`;
  const provider = createServer((req, res) => {
    const url = new URL(req.url, idp);
    if (url.pathname === '/authorize') {
      const ok = url.searchParams.get('response_type') === 'code' && url.searchParams.get('code_challenge_method') === 'S256' &&
        url.searchParams.get('client_id') === 'osh-console' && /^[\w-]{43}$/.test(url.searchParams.get('code_challenge') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri'));
      if (ok) {
        const code = `code-${issued.size + 1}`;
        issued.set(code, url.searchParams.get('code_challenge'));
        back.searchParams.set('code', code);
      } else back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    const cors = { 'access-control-allow-origin': BASE, 'access-control-allow-headers': 'content-type' };
    if (url.pathname === '/token' && req.method === 'OPTIONS') { res.writeHead(204, cors).end(); return; }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const challenge = issued.get(form.get('code'));
        issued.delete(form.get('code'));
        const hashed = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        const ok = form.get('grant_type') === 'authorization_code' && challenge && hashed === challenge && form.get('redirect_uri') === `${BASE}/auth/callback`;
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json', ...cors })
          .end(JSON.stringify(ok ? { access_token: OIDC_TOKEN, token_type: 'Bearer' } : { error: 'invalid_grant' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => provider.listen(Number(IDP_PORT), '127.0.0.1', resolve));
  const page = await newPage();
  await page.route('**/config.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ oidc: {
    issuer: idp, authorizationEndpoint: `${idp}/authorize`, tokenEndpoint: `${idp}/token`, clientId: 'osh-console', scope: 'openid' } }) }));
  await page.goto(`${BASE}/login`);
  await page.click('button:has-text("通过统一身份认证登录")');
  await page.waitForURL((url) => url.origin === BASE && url.pathname === '/province/reviews');
  const claims = await page.textContent('.claims');
  check('signing in with the provider (code + PKCE S256) ends signed in with the token it issued', claims.startsWith('web-oidc-inspector · inspector'), claims);
  check('the code was redeemed once, with the verifier of its challenge', issued.size === 0);
  check('the pkce verifier is gone from the session afterwards', (await page.evaluate(() => sessionStorage.getItem('osh.pkce'))) === null);
  await page.context().close();
  provider.close();
}
