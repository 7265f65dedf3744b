import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, FRAMEWORKS, type OAuthDemo, REDIRECT_URI, SPA_ORIGIN, startOAuthDemo } from './demo.js';
import { expectSignInPageHeaders } from './headers.js';
import { type SpaServer, startSpa } from './spa-server.js';

/** Debian's `chromium` package (`.ci/run` installs it). */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Without the browser, a developer's run skips loudly; CI must have it, so there it fails.
const noBrowser = !existsSync(CHROMIUM);
if (noBrowser && process.env.CI !== 'true') {
  console.warn(`SKIPPED the browser OAuth flow: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

// Skipped only outside CI when /usr/bin/chromium is missing (see the warning above).
describe.skipIf(noBrowser && process.env.CI !== 'true')('headless Chromium signs in to the demo', () => {
  let browser: Browser;
  let spa: SpaServer;
  beforeAll(async () => {
    if (noBrowser) throw new Error(`CI=true and ${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    spa = await startSpa();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await spa?.close();
  });

  // One framework after the other: the SPA's port 5173 is fixed.
  describe.each(FRAMEWORKS)('on %s', (framework) => {
    let demo: OAuthDemo;
    beforeAll(async () => {
      demo = await startOAuthDemo(framework);
    });
    afterAll(() => demo?.close());

    it('signs in on the form, exchanges the code from http://localhost:5173 and reads /v2/users/me', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      // What the browser said (a CSP or CORS refusal is only told there), shown when a step fails.
      const browserConsole: string[] = [];
      page.on('console', (message) => browserConsole.push(`${message.type()}: ${message.text()}`));
      try {
        const authorizeUrl = `${demo.issuer}/oauth/authorize?`;
        const signInPage = page.waitForResponse(
          (r) => r.url().startsWith(authorizeUrl) && r.request().method() === 'GET',
        );
        await page.goto(`${SPA_ORIGIN}/start?api=${encodeURIComponent(demo.issuer)}`);
        const signInAnswer = await signInPage;
        expect(signInAnswer.status()).toBe(200);
        const signInHeaders = await signInAnswer.allHeaders();
        expectSignInPageHeaders((name) => signInHeaders[name]);

        await page.locator('input[name="email"]').fill(ALICE.email);
        await page.locator('input[name="password"]').fill(ALICE.password);
        const formPost = page.waitForResponse(
          (r) => r.url().startsWith(demo.issuer) && r.request().method() === 'POST',
        );
        const form = page.locator('form:has(input[name="password"])');
        await form.locator('button:not([type]), [type="submit"]').first().click();
        const posted = await formPost;
        expect(posted.status()).toBe(303);
        expect(((await posted.allHeaders()).location ?? '').startsWith(`${REDIRECT_URI}?`)).toBe(true);

        await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
        const outcome = page.locator('#result, #error');
        await outcome.waitFor();
        expect(await page.locator('#error').count(), (await outcome.textContent()) ?? '').toBe(0);
        const me = JSON.parse((await outcome.textContent()) ?? '');
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ email: ALICE.email, role: ALICE.role, id: expect.any(String) });
      } catch (error) {
        if (error instanceof Error) {
          error.message += `\n  page: ${page.url()}\n  browser console:\n    ${browserConsole.join('\n    ')}`;
        }
        throw error;
      } finally {
        await context.close();
      }
    }, 60_000);
  });
});
