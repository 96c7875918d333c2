// Watchtab files for e2e tests: a YAML table from entry objects, and an editor-like save of one.
import { rename, writeFile } from 'node:fs/promises';

/** One entry as the YAML watchtab spells it (`path`, `events`, `command`, ...). */
export type YamlEntry = Readonly<Record<string, unknown>>;

/** A YAML watchtab (JSON is YAML; `---` marks it so without a .yaml name). */
export function table(entries: readonly YamlEntry[]): string {
  return `---\n${JSON.stringify({ entries })}\n`;
}

/** Replaces the watchtab at `tab` as an editor does (write beside, rename over): a reload never reads half a file. */
export async function saveTable(tab: string, entries: readonly YamlEntry[]): Promise<void> {
  await writeFile(`${tab}.new`, table(entries));
  await rename(`${tab}.new`, tab);
}
