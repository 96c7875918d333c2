#!/usr/bin/env node
// `watchtab`: the user tool. Dispatches to one module per sub-command, loaded only when it runs;
// each returns an exit code.
import { runCli } from './run-cli.js';
import { COMMAND_HEADS } from './commands/heads.js';

// ps and top show this rather than `node`.
process.title = 'watchtab';

await runCli('watchtab', COMMAND_HEADS);
