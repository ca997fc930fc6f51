// An OpenFeature SDK evaluates `FLAG` for every targeting key in KEYS
// (one per line) through its OFREP provider against a running
// `cutover serve`: @openfeature/server-sdk with @openfeature/ofrep-provider,
// installed by scripts/test.sh outside the repository; run by
// tests/cli/dashboard.rs. Prints {"key": {"value", "reason", "variant"}}.
'use strict';
const fs = require('fs');
const { OpenFeature } = require('@openfeature/server-sdk');
const { OFREPProvider } = require('@openfeature/ofrep-provider');

async function main() {
  const { URL: BASE, TOKEN, FLAG, KEYS } = process.env;
  const provider = new OFREPProvider({ baseUrl: BASE, headers: [['Authorization', `Bearer ${TOKEN}`]] });
  await OpenFeature.setProviderAndWait(provider);
  const client = OpenFeature.getClient();
  const keys = fs.readFileSync(KEYS, 'utf8').split('\n').filter(Boolean);
  const answers = {};
  for (const key of keys) {
    const details = await client.getBooleanDetails(FLAG, false, { targetingKey: key });
    answers[key] = { value: details.value, reason: details.reason, variant: details.variant, error: details.errorCode || null };
  }
  const missing = await client.getBooleanDetails(`${FLAG}-missing`, false, { targetingKey: 'k' });
  answers['(unknown flag)'] = { value: missing.value, reason: missing.reason, error: missing.errorCode || null };
  await OpenFeature.close();
  process.stdout.write(`${JSON.stringify(answers)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
