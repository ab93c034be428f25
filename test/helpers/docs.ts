import * as fs from 'fs';
import * as path from 'path';

/**
 * The `@default` text of each property in a props file, keyed by `Interface.property` and by the
 * bare property name (first occurrence wins for the bare name).
 */
export function documentedDefaults(relativeFile: string): Map<string, string> {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', relativeFile), 'utf8');
  const out = new Map<string, string>();
  const re = /(?:export interface (\w+)[^{]*\{)|(?:\/\*\*((?:(?!\*\/)[\s\S])*?)@default ([^\n]*)\n\s*\*\/\s*readonly (\w+)\??:)/g;
  let current = '';
  for (let m = re.exec(src); m; m = re.exec(src)) {
    if (m[1]) {
      current = m[1];
      continue;
    }
    const [text, prop] = [m[3].trim(), m[4]];
    out.set(`${current}.${prop}`, text);
    if (!out.has(prop)) out.set(prop, text);
  }
  return out;
}
