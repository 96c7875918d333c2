// Every `watchtab` sub-command, in the order --help lists them.
import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { listCommand } from './list.js';
import { eventsCommand } from './events.js';
import { editCommand } from './edit.js';
import { statusCommand } from './status.js';

export const COMMANDS: readonly Command[] = [
  checkCommand,
  listCommand,
  eventsCommand,
  editCommand,
  statusCommand,
];
