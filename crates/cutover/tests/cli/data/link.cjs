// A signed link from a stakeholder message, opened as its reader would:
// headless Chromium (playwright-core, installed by scripts/test.sh) loads
// BASE/act?QUERY, signs in with TOKEN (through the URL fragment, which the
// page removes), reads what the link grants, gives REASON and confirms.
// Prints one JSON object; a screenshot goes to ARTIFACTS/link.png.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const { URL: BASE, QUERY, TOKEN, REASON, ARTIFACTS } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const result = {};
  try {
    const page = await context.newPage();
    await page.goto(`${BASE}/act?${QUERY}#token=${encodeURIComponent(TOKEN)}`);
    await page.waitForFunction(() => document.getElementById('link-summary').textContent.trim() !== '', null, { timeout: 20000 });
    result.summary = await page.textContent('#link-summary');
    result.form_shown = await page.isVisible('#link-form');
    result.token_in_url = page.url().includes(TOKEN);
    if (result.form_shown) {
      await page.fill('#link-reason', REASON);
      await page.click('#link-submit');
      await page.waitForFunction(() => {
        const text = document.getElementById('link-result').textContent.trim();
        return text !== '' && text !== 'working…';
      }, null, { timeout: 20000 });
      result.result = await page.textContent('#link-result');
      result.result_is_error = (await page.getAttribute('#link-result', 'class')) === 'error';
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'link.png'), fullPage: true });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
