#!/usr/bin/env node
// `npm run docs`: regenerates the API reference in docs/api from the JSDoc of the public entry
// points (typedoc.json: TypeDoc + typedoc-plugin-markdown). The output is deterministic (no
// source links, dates or absolute paths), so it is committed and reviewed like code.
// `npm run docs:check` (CI): generates into a temp dir and fails, listing the differences, when
// the committed docs/api is not what the current sources produce.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMMITTED = join(ROOT, 'docs', 'api');
const TYPEDOC = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
const check = process.argv.includes('--check');

class TypedocFailed extends Error {}

function typedoc(out) {
  // typedoc.json sets treatWarningsAsErrors: a public type that refers to an unexported one, or
  // a broken {@link}, fails here instead of producing a reference with holes.
  const r = spawnSync(process.execPath, [TYPEDOC, '--logLevel', 'Warn', '--out', out], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new TypedocFailed(r.error ? r.error.message : `exit code ${r.status ?? r.signal}`);
}

/** Relative paths of all files under dir, with / separators, sorted. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function firstDifference(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}\n      committed: ${la[i] ?? '<end of file>'}\n      current:   ${lb[i] ?? '<end of file>'}`;
  }
  return '';
}

function generate() {
  typedoc(COMMITTED);
  console.log(`docs: wrote ${listFiles(COMMITTED).length} files to ${relative(ROOT, COMMITTED)}`);
}

function checkCurrent() {
  const fresh = mkdtempSync(join(os.tmpdir(), 'mlops-docs-'));
  try {
    compare(fresh);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

function compare(fresh) {
  typedoc(fresh);
  const committed = new Set(listFiles(COMMITTED));
  const current = new Set(listFiles(fresh));
  const problems = [];
  for (const f of current) if (!committed.has(f)) problems.push(`${f}: missing from docs/api`);
  for (const f of committed) if (!current.has(f)) problems.push(`${f}: no longer generated`);
  for (const f of current) {
    if (!committed.has(f)) continue;
    const a = readFileSync(join(COMMITTED, f), 'utf8');
    const b = readFileSync(join(fresh, f), 'utf8');
    if (a !== b) problems.push(`${f}: differs at ${firstDifference(a, b)}`);
  }
  if (problems.length) {
    console.error(`docs: docs/api is stale (${problems.length} files). Run \`npm run docs\` and commit the result.\n  - ${problems.join('\n  - ')}`);
    process.exitCode = 1;
  } else {
    console.log(`docs: docs/api is current (${current.size} files)`);
  }
}

try {
  if (check) checkCurrent();
  else generate();
} catch (e) {
  if (!(e instanceof TypedocFailed)) throw e;
  console.error(`docs: typedoc failed (${e.message})`);
  process.exitCode = 1;
}
