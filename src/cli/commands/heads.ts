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

/** Every `watchtab` sub-command, in the order --help lists them. */
export const COMMAND_HEADS: readonly CommandHead[] = [
  {
    name: 'check',
    synopsis: 'check [FILE...]',
    summary: help.checkSummary(),
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'list',
    synopsis: 'list [FILE] [--json]',
    summary: help.listSummary(),
    load: async () => (await import('./list.js')).listCommand,
  },
  {
    name: 'events',
    synopsis: 'events [--recursive] [--json] [--debug] PATH...',
    summary: help.eventsSummary(),
    load: async () => (await import('./events.js')).eventsCommand,
  },
  {
    name: 'edit',
    synopsis: 'edit [FILE]',
    summary: help.editSummary(),
    load: async () => (await import('./edit.js')).editCommand,
  },
  {
    name: 'status',
    synopsis: 'status [ENTRY] [--json] [--socket PATH]',
    summary: help.statusSummary(),
    load: async () => (await import('./status.js')).statusCommand,
  },
];

/** The head of the named command; its module spreads this into its Command, so the two never differ. */
export function headOf(name: string): Pick<CommandHead, 'name' | 'synopsis' | 'summary'> {
  const head = COMMAND_HEADS.find((h) => h.name === name);
  if (head === undefined) throw new Error(`no command head named ${name}`);
  return { name: head.name, synopsis: head.synopsis, summary: head.summary };
}
