// What `watchtab --help` and dispatch need of each sub-command — its name, synopsis and summary —
// and how to load the rest: a command's module (and what it imports: the watchtab parser, the
// watcher, the logger) is loaded only when that command runs, so `--version` and `--help` load
// almost nothing.
import { toolHelpMessages as help } from '../../log/messages/cli.js';
import type { Command } from '../command.js';

export interface CommandHead {
  readonly name: string;
  /** e.g. `check [FILE...]` */
  readonly synopsis: string;
  readonly summary: string;
  /** The whole command, loaded on use. */
  load(): Promise<Command>;
}

/** A head from its synopsis, which starts with the command's name. */
function head(synopsis: string, summary: string, load: () => Promise<Command>): CommandHead {
  return { name: synopsis.split(' ', 1)[0]!, synopsis, summary, load };
}

/** Every `watchtab` sub-command, in the order --help lists them. */
export const COMMAND_HEADS: readonly CommandHead[] = [
  head('check [FILE...]', help.checkSummary(), async () => (await import('./check.js')).checkCommand),
  head('list [FILE] [--json]', help.listSummary(), async () => (await import('./list.js')).listCommand),
  head(
    'events [--recursive] [--json] [--debug] PATH...',
    help.eventsSummary(),
    async () => (await import('./events.js')).eventsCommand,
  ),
  head('edit [FILE]', help.editSummary(), async () => (await import('./edit.js')).editCommand),
  head(
    'status [ENTRY] [--json] [--socket PATH]',
    help.statusSummary(),
    async () => (await import('./status.js')).statusCommand,
  ),
];

/** The head of the named command; its module spreads this into its Command, so the two never differ. */
export function headOf(name: string): Pick<CommandHead, 'name' | 'synopsis' | 'summary'> {
  const found = COMMAND_HEADS.find((h) => h.name === name);
  if (found === undefined) throw new Error(`no command head named ${name}`);
  return { name: found.name, synopsis: found.synopsis, summary: found.summary };
}
