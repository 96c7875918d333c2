#!/usr/bin/env -S node --max-semi-space-size=1
// `watchtabd`'s entry point. Its first act holds SIGUSR1 (see daemon/sigusr1.ts), before the rest
// of the program is even loaded, so no signal can open Node's inspector; then it runs the daemon.
import { holdSigusr1 } from '../daemon/sigusr1.js';

holdSigusr1();
await import('./watchtabd-main.js');
