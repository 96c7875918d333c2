// Whether a watchtab file is YAML, told without loading the YAML parser (yaml.ts loads it).

/** A file is YAML by its name, or when its first line that is not blank or a comment is `---`. */
export function isYaml(file: string, text: string): boolean {
  if (/\.ya?ml$/.test(file)) return true;
  const first = text.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  return first !== undefined && /^---(\s|$)/.test(first.trim());
}
