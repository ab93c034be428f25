// Extracts the `@example` blocks of the API reference (the TSDoc of lib/**/*.ts) as TypeScript
// modules that import the library from the package root, for `npm run test:consumer` (which
// compiles them strict against the packed library, as a consumer would) and for
// test/packaging/doc-examples.test.ts (which type-checks them against lib/ in the unit tests).
//
// An example is a fragment: the names it uses but does not define are declared by its first line,
//   // given: stack: Stack; registry: IModelRegistry; trainingRole: iam.IRole
// which the reader sees as "what you have already" and the check turns into `declare const`s.
// Every example may use, without declaring them: App, Duration, Size, Stack (aws-cdk-lib),
// Construct (constructs), the aws-cdk-lib modules below by their usual aliases, and every name the
// package root exports. Anything else is a compile error in the check.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script, loaded by the .mjs consumer test and by jest */
const fs = require('fs');
const path = require('path');

/** aws-cdk-lib imports every example has. */
const PREAMBLE = [
  "import { App, Duration, Size, Stack } from 'aws-cdk-lib';",
  "import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';",
  "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
  "import * as events from 'aws-cdk-lib/aws-events';",
  "import * as targets from 'aws-cdk-lib/aws-events-targets';",
  "import * as iam from 'aws-cdk-lib/aws-iam';",
  "import * as kms from 'aws-cdk-lib/aws-kms';",
  "import * as s3 from 'aws-cdk-lib/aws-s3';",
  "import * as sns from 'aws-cdk-lib/aws-sns';",
  "import * as sfn from 'aws-cdk-lib/aws-stepfunctions';",
  "import { Construct } from 'constructs';",
];
const PREAMBLE_NAMES = new Set(['App', 'Duration', 'Size', 'Stack', 'Construct', 'cloudwatch', 'ec2', 'events', 'targets', 'iam', 'kms', 's3', 'sns', 'sfn']);

/** Every `.ts` file under `dir`, sorted, as paths relative to `root`. */
function tsFiles(root, dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? tsFiles(root, path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
}

/**
 * The `@example` blocks of one source text: the lines after the tag (and any text on the tag's own
 * line) up to the next block tag or the end of the comment, without the leading ` * `.
 * @returns {{ file: string, line: number, code: string }[]}
 */
function examplesIn(file, text) {
  const out = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  let m;
  while ((m = comment.exec(text))) {
    const startLine = text.slice(0, m.index).split('\n').length;
    const lines = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    for (let i = 0; i < lines.length; i++) {
      const tag = /^@example\b\s?(.*)$/.exec(lines[i]);
      if (!tag) continue;
      const body = tag[1].trim() ? [tag[1]] : [];
      let j = i + 1;
      for (; j < lines.length && !/^@\w+/.test(lines[j]); j++) body.push(lines[j]);
      while (body.length && !body[body.length - 1].trim()) body.pop();
      out.push({ file: file.split(path.sep).join('/'), line: startLine + i, code: body.join('\n') });
      i = j - 1;
    }
  }
  return out;
}

/** `// given: a: A; b: B` -> `declare const a: A;\ndeclare const b: B;` (separators are `;`, so types may hold commas). */
function givenDeclarations(code) {
  const m = /^\/\/ given: (.+)$/m.exec(code.split('\n')[0] ?? '');
  if (!m) return '';
  return m[1].split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    if (!/^[A-Za-z_$][\w$]*\s*:\s*\S/.test(d)) throw new Error(`malformed "given" declaration "${d}": write name: Type`);
    return `declare const ${d};`;
  }).join('\n');
}

/**
 * The example modules of every `@example` under lib/, each importing from `packageName` the names
 * of `exportedNames` it mentions.
 * @param {string} root repository root
 * @param {Set<string>} exportedNames names the package root exports
 * @param {string} packageName
 * @param {{ file: string, text: string }[]} [extra] more sources to extract from (tests)
 * @returns {{ name: string, file: string, line: number, source: string }[]}
 */
function docExamples(root, exportedNames, packageName, extra = []) {
  const sources = [
    ...tsFiles(root, 'lib').map((f) => ({ file: f, text: fs.readFileSync(path.join(root, f), 'utf8') })),
    ...extra,
  ];
  return sources.flatMap(({ file, text }) => examplesIn(file, text)).map((e) => {
    const declared = givenDeclarations(e.code);
    const words = new Set((`${declared}\n${e.code}`.match(/[A-Za-z_$][\w$]*/g) ?? []));
    const imports = [...words].filter((w) => exportedNames.has(w) && !PREAMBLE_NAMES.has(w)).sort();
    const source = [
      `// @example of ${e.file}:${e.line}`,
      ...PREAMBLE,
      ...(imports.length ? [`import { ${imports.join(', ')} } from '${packageName}';`] : []),
      declared,
      'export {};',
      e.code,
      '',
    ].join('\n');
    return { name: `${e.file}:${e.line}`, file: e.file, line: e.line, source };
  });
}

/** The names the package root (lib/index.ts) exports, read with the TypeScript compiler from lib/ alone. */
function packageExportNames(root) {
  const ts = require('typescript');
  const lib = path.join(root, 'lib');
  const entry = path.join(lib, 'index.ts');
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noLib: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  const inLib = (f) => path.resolve(f).startsWith(lib + path.sep);
  const exists = host.fileExists.bind(host);
  const get = host.getSourceFile.bind(host);
  host.fileExists = (f) => inLib(f) && exists(f);
  host.getSourceFile = (f, ...rest) => (inLib(f) ? get(f, ...rest) : undefined);
  const program = ts.createProgram([entry], options, host);
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(entry));
  return new Set(symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : []);
}

module.exports = { docExamples, examplesIn, givenDeclarations, packageExportNames, PREAMBLE };
