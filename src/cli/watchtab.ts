#!/usr/bin/env node
// `watchtab`: the user tool. Dispatches to one module per sub-command; each returns an exit code.
import { runCli } from './run-cli.js';
import { COMMANDS } from './commands/index.js';

await runCli('watchtab', COMMANDS);
