// Every `watchtab` sub-command, in the order --help lists them.
import type { Command } from '../command.js';
import { eventsCommand } from './events.js';

export const COMMANDS: readonly Command[] = [eventsCommand];
