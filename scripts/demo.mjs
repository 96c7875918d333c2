// `npm start`: runs the built watchtabd in the foreground on a copy of watchtab.example, its drop-ins
// and demo/ in a fresh temporary folder, so the demo never writes into the checkout. Extra arguments
// go to watchtabd (`npm start -- --log-level debug`). The copy is removed when the daemon stops.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'watchtab-demo-'));
for (const name of ['watchtab.example', 'watchtab.example.d', 'demo']) {
  await cp(join(root, name), join(dir, name), { recursive: true });
}
const watchtab = join(root, 'dist/bin/watchtab.js');
process.stderr.write(
  [
    `demo: watching a copy of demo/ in ${dir} (removed when watchtabd stops)`,
    'demo: in another terminal, try:',
    `  cd ${dir}`,
    "  echo '# more' >> demo/src/index.md      # rebuilds demo/out/site.txt half a second later",
    "  echo 'port = 8081' > demo/app.conf      # a line in demo/out/reloads.log",
    '  cp watchtab.example demo/inbox/         # synced to demo/out/synced/ 2 seconds later',
    `  node ${watchtab} status`,
    '',
  ].join('\n'),
);
const daemon = spawn(
  process.execPath,
  [
    join(root, 'dist/bin/watchtabd.js'),
    '--watchtab',
    join(dir, 'watchtab.example'),
    // The demo's state stays in its copy, not in the system's state folder.
    '--state-dir',
    join(dir, 'state'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// The daemon gets the same signals (a terminal's Ctrl-C reaches both; `kill` reaches only this one).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => daemon.kill(signal));
const [code, signal] = await new Promise((resolve) => daemon.once('exit', (...end) => resolve(end)));
await rm(dir, { recursive: true, force: true });
process.exitCode = code ?? (signal === null ? 1 : 128);
