import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The README is read from npm and from node_modules, where only the packed files exist and the
// package names no `repository` (so npm cannot rewrite a relative link to a source host). Every
// relative link must therefore name a file the tarball ships. What ships is asked of npm itself:
// `npm pack --dry-run --json` lists the files it would pack (package.json `files`, plus the files
// npm always includes: package.json, README, LICENSE; https://docs.npmjs.com/cli/v10/configuring-npm/package-json#files).
const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Link { target: string; line: number }

/**
 * The link targets of a Markdown text with their line numbers: inline links and images
 * (`[text](target)`, `![alt](target)`), reference definitions (`[id]: target`) and HTML
 * `href`/`src` attributes. Fenced code blocks and inline code spans are not links.
 */
function markdownLinks(markdown: string): Link[] {
  const links: Link[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const open = /^\s*(```|~~~)/.exec(raw);
    if (open) {
      if (fence === undefined) fence = open[1];
      else if (open[1] === fence) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const line = raw.replace(/`[^`]*`/g, '``');
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1], line: i + 1 });
    const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(line);
    if (ref) links.push({ target: ref[1], line: i + 1 });
    for (const m of line.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) links.push({ target: m[1], line: i + 1 });
  });
  return links;
}

/** Relative links (no scheme, no protocol-relative `//`, not a pure `#anchor`) whose path is not in `shipped`. */
function unshippedLinks(markdown: string, shipped: readonly string[]): string[] {
  const files = new Set(shipped);
  return markdownLinks(markdown)
    .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target) && !l.target.startsWith('//') && !l.target.startsWith('#'))
    .map((l) => ({ ...l, file: path.posix.normalize(decodeURIComponent(l.target.replace(/[?#].*$/, ''))).replace(/^\.\//, '').replace(/\/$/, '') }))
    .filter((l) => l.file.startsWith('..') || !(files.has(l.file) || [...files].some((f) => f.startsWith(`${l.file}/`))))
    .map((l) => `README.md line ${l.line}: ${l.target} is not in the package`);
}

describe('README links work from npm (no repository field to resolve them against)', () => {
  let shipped: string[];
  beforeAll(() => {
    // --ignore-scripts: no prepack build; dist/ is irrelevant here (the README links no build output).
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect(r.status).toBe(0);
    shipped = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
  });

  test('every relative link in README.md names a file the tarball ships', () => {
    expect(shipped).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']));
    expect(unshippedLinks(README, shipped)).toEqual([]);
  });

  test('fails on links to the repository\'s examples and API reference, which are not shipped', () => {
    const md = [
      'See [`examples/inference.ts`](examples/inference.ts) and [the API](./docs/api/README.md#top).',
      '![diagram](img/loop.png) <a href="bin/main.ts">app</a>',
      '[ref]: test/app.test.ts',
      'Fine: [log](CHANGELOG.md#010), [site](https://docs.aws.amazon.com/), [top](#install), [up](../README.md)',
      '```ts',
      'const notALink = "[x](examples/ignored.ts)";',
      '```',
      'Code span: `[x](examples/also-ignored.ts)`',
    ].join('\n');
    expect(unshippedLinks(md, ['README.md', 'CHANGELOG.md'])).toEqual([
      'README.md line 1: examples/inference.ts is not in the package',
      'README.md line 1: ./docs/api/README.md#top is not in the package',
      'README.md line 2: img/loop.png is not in the package',
      'README.md line 2: bin/main.ts is not in the package',
      'README.md line 3: test/app.test.ts is not in the package',
      'README.md line 4: ../README.md is not in the package',
    ]);
  });

  test('a link to a shipped folder or to a file under it passes', () => {
    expect(unshippedLinks('[dist](dist/) [index](dist/index.d.ts)', ['dist/index.d.ts'])).toEqual([]);
  });
});
