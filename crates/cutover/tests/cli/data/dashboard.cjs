// The dashboard as a person sees it, in headless Chromium driven by
// playwright-core (installed by scripts/test.sh outside the repository;
// run by tests/cli/dashboard.rs). Signs in with a viewer token, has an
// operator advance a component through the API, and measures how long the
// page (never reloaded) takes to show the new mode; then checks the page
// at 390 px for horizontal overflow, and rolls back from the page's own
// form as an operator. Prints one JSON object; screenshots go to ARTIFACTS.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const { URL: BASE, VIEWER, OPERATOR, COMPONENT, TO, ARTIFACTS } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const modeOf = (page) => page.evaluate((id) => {
  const node = document.querySelector(`[data-component="${id}"] .mode`);
  return node ? node.getAttribute('data-mode') : null;
}, COMPONENT);

async function waitForMode(page, mode, timeout) {
  await page.waitForFunction(([id, wanted]) => {
    const node = document.querySelector(`[data-component="${id}"] .mode`);
    return node && node.getAttribute('data-mode') === wanted;
  }, [COMPONENT, mode], { timeout, polling: 20 });
}

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
    await page.goto(`${BASE}/#token=${encodeURIComponent(VIEWER)}`);
    await page.waitForSelector(`[data-component="${COMPONENT}"] .mode`, { timeout: 20000 });
    await page.waitForSelector('#live.on', { timeout: 20000 });
    result.caller = await page.textContent('#caller');
    result.act_hidden_for_viewer = await page.isHidden('#act');
    result.token_in_url = page.url().includes(VIEWER);
    result.before = await modeOf(page);
    await page.evaluate(() => { window.notReloaded = true; });

    const response = await fetch(`${BASE}/v1/operations/advance`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ target: COMPONENT, to: TO }),
    });
    result.advance_status = response.status;
    const advanced = Date.now();
    try {
      await waitForMode(page, TO, 2000);
      result.shown_after_ms = Date.now() - advanced;
    } catch (_) {
      result.shown_after_ms = null;
    }
    result.after = await modeOf(page);
    result.not_reloaded = await page.evaluate(() => window.notReloaded === true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    Object.assign(result, await page.evaluate(() => {
      const root = document.documentElement;
      const wide = [...document.querySelectorAll('body *')]
        .filter((node) => node.getBoundingClientRect().right > root.clientWidth + 0.5)
        .slice(0, 5).map((node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className}`);
      return { narrow_scroll_width: root.scrollWidth, narrow_client_width: root.clientWidth, narrow_too_wide: wide };
    }));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-390.png'), fullPage: true });

    const operator = await context.newPage();
    await operator.goto(`${BASE}/#token=${encodeURIComponent(OPERATOR)}`);
    await operator.waitForSelector('#act:not([hidden])', { timeout: 20000 });
    await operator.waitForSelector(`#act-target option[value="${COMPONENT}"]`, { state: 'attached', timeout: 20000 });
    await operator.selectOption('#act-operation', 'rollback');
    await operator.selectOption('#act-target', COMPONENT);
    await operator.fill('#act-reason', 'rolled back from the page');
    await operator.click('#act-submit');
    await operator.waitForFunction(() => document.querySelector('#act-result').textContent.includes('→'), null, { timeout: 20000 });
    result.rollback_result = await operator.textContent('#act-result');
    await waitForMode(page, 'legacy', 5000).catch(() => {});
    result.after_rollback = await modeOf(page);
    await operator.screenshot({ path: path.join(ARTIFACTS, 'dashboard-operator.png'), fullPage: true });
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
