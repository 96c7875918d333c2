#!/usr/bin/env node
// `watchtab`: the user tool. Dispatches to one module per sub-command; each returns an exit code.
import { runCli } from './run-cli.js';
import { COMMANDS } from './commands/index.js';

// ps and top show this rather than `node`.
process.title = 'watchtab';

await runCli('watchtab', COMMANDS);
