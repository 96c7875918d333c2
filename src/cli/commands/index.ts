// Every `watchtab` sub-command, loaded, in the order --help lists them (for what needs them all:
// the completions and the manual's checks). The program itself loads one at a time (heads.ts).
import type { Command } from '../command.js';
import { COMMAND_HEADS } from './heads.js';

export const COMMANDS: readonly Command[] = await Promise.all(COMMAND_HEADS.map((head) => head.load()));
