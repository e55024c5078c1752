// The web console in Debian's Chromium (playwright-core, no browser download),
// against the real platform browser_e2e.sh started. Each role signs in through
// the sign-in screen, does one real task per page group, and what the page
// shows is compared with what the API answers for the same question. Every
// page gets a screenshot (desktop 1280 px, some at phone width) and an axe-core
// check (no serious or critical violation); the Content-Security-Policy must
// never be violated. Prints one line per check and "N passed, N failed".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { axeResults, browser, check, counts, cspViolations, env, last } from './harness.mjs';
import { publicPages } from './public.mjs';
import { provinceWorkspace } from './province.mjs';
import { accessByRole, employerPages, learnerPages, tokenStorage } from './people.mjs';
import { oidcSignIn } from './oidc.mjs';
import { nationalPages } from './national.mjs';

// In this order: the province's review and report feed the employer's and the national pages.
try {
  for (const group of [publicPages, provinceWorkspace, employerPages, oidcSignIn, accessByRole, learnerPages, nationalPages, tokenStorage]) await group();
} catch (e) {
  check(`every step of the page groups completes (${e.message?.split('\n')[0]} at ${last.page?.url()})`, false);
  if (last.page) await last.page.screenshot({ path: join(env.RESULTS, 'failure.png'), fullPage: true }).catch(() => {});
}
check('no Content-Security-Policy violation or script error on any page', cspViolations.length === 0, cspViolations.join('\n'));
writeFileSync(join(env.RESULTS, 'axe.json'), JSON.stringify(axeResults, null, 2));
await browser.close();
console.log(`${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed === 0 ? 0 : 1);
