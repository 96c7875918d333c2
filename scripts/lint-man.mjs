// Checks every man page with `mandoc -Tlint`; run by `npm test`. Skips (saying why) where mandoc is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const pages = (existsSync('man') ? readdirSync('man') : [])
  .filter((f) => /\.[1-8]$/.test(f))
  .map((f) => `man/${f}`);
const probe = spawnSync('mandoc', ['-V'], { encoding: 'utf8' });
if (probe.error) {
  if (process.env.CI) {
    console.error('lint-man: mandoc is required on CI (apt-get install -y mandoc)');
    process.exit(1);
  }
  console.log('lint-man: skipped, mandoc is not installed (apt-get install -y mandoc)');
  process.exit(0);
}
if (pages.length === 0) process.exit(0);
const result = spawnSync('mandoc', ['-Tlint', '-W', 'warning', ...pages], { encoding: 'utf8' });
const out = `${result.stdout}${result.stderr}`.trim();
if (result.status !== 0 || out !== '') {
  console.error(out);
  process.exit(1);
}
console.log(`lint-man: ${pages.length} page(s) clean`);
