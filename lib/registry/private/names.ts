/**
 * The physical name core's `dashedName` gives a resource in a given project and environment.
 *
 * `dashedName` reads the project and environment from the construct tree; a registry imported
 * from another environment needs that environment's names instead. The rule is the same: each
 * part lowercased, every run of characters other than a-z and 0-9 turned into one hyphen, hyphens
 * trimmed from both ends, empty parts dropped, the parts joined with hyphens, the result cut to
 * `maxLength` and trailing hyphens trimmed. A test pins it to `dashedName` for a registry's own
 * environment, so the two cannot drift apart.
 */
export function nameInEnvironment(project: string, environment: string, maxLength: number, ...parts: string[]): string {
  const kept: string[] = [];
  for (const part of [project, environment, ...parts]) {
    const word = part.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '').join('-');
    if (word !== '') kept.push(word);
  }
  return kept.join('-').slice(0, maxLength).replace(/-+$/, '');
}
