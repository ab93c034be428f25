import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// The API reference's @example blocks are compiled against the packed library by
// `npm run test:consumer` (in .ci/run); this test type-checks the same modules against lib/ so a
// broken example fails the unit tests too, and proves that the check catches one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { docExamples, examplesIn, givenDeclarations, packageExportNames } = require('../../scripts/doc-examples.cjs') as {
  docExamples: (root: string, names: Set<string>, pkg: string, extra?: Array<{ file: string; text: string }>) => Array<{ name: string; source: string }>;
  examplesIn: (file: string, text: string) => Array<{ file: string; line: number; code: string }>;
  givenDeclarations: (code: string) => string;
  packageExportNames: (root: string) => Set<string>;
};

const ROOT = path.join(__dirname, '..', '..');
const libFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
const PKG = '@mlops-cdk/constructs';

/** Type-checks modules (name -> source) strict, with the package name mapped to lib/index.ts: diagnostics by module. */
function typeCheck(modules: Map<string, string>): Map<string, string[]> {
  const dir = path.join(ROOT, '.doc-examples');
  const files = new Map([...modules].map(([name, source], i) => [path.join(dir, `example-${i + 1}.ts`), { name, source }]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2022.d.ts'],
    strict: true, noImplicitReturns: true, isolatedModules: true, skipLibCheck: true, noEmit: true, types: ['node'],
    baseUrl: ROOT, paths: { [PKG]: ['lib/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => files.has(path.resolve(f)) || fileExists(f);
  host.readFile = (f) => files.get(path.resolve(f))?.source ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const virtual = files.get(path.resolve(f));
    return virtual ? ts.createSourceFile(f, virtual.source, lang, true) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const [file, { name }] of files) {
    const sf = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(name, diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
  }
  return out;
}

const BROKEN = `/**
 * A construct with two documented examples, one right and one wrong.
 *
 * @example
 * // given: stack: Stack
 * new DataLakehouse(stack, 'Lake', { name: 'sales' });
 *
 * @example
 * // given: stack: Stack
 * new DataLakehouse(stack, 'Lake', { tabels: [] });
 * registry.grantRead(stack);
 */
export const documented = 1;
`;

describe('API reference @example blocks', () => {
  let examples: Array<{ name: string; source: string }>;
  let diagnostics: Map<string, string[]>;
  beforeAll(() => {
    examples = docExamples(ROOT, packageExportNames(ROOT), PKG, [{ file: 'test/broken.ts', text: BROKEN }]);
    diagnostics = typeCheck(new Map(examples.map((e) => [e.name, e.source])));
  }, 240_000);

  test('extracts every @example of lib/, importing what it uses from the package root', () => {
    const lib = examples.filter((e) => e.name.startsWith('lib/'));
    // counted independently: every TSDoc line that starts with the tag
    const tags = libFiles(path.join(ROOT, 'lib')).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => /^\s*\* @example\b/.test(l)));
    expect(lib.length).toBe(tags.length);
    expect(lib.length).toBeGreaterThanOrEqual(17);
    const lake = examples.find((e) => e.source.includes("new DataLakehouse(stack, 'Lakehouse'"))!;
    expect(lake.source).toMatch(/import \{ ColumnType, DataLakehouse, LakehouseZone \} from '@mlops-cdk\/constructs';/);
    expect(lake.source).toMatch(/declare const stack: Stack;\ndeclare const trainingRole: iam\.IRole;/);
  });

  test('every @example of lib/ compiles strict against the package', () => {
    const failing = [...diagnostics].filter(([name, d]) => name.startsWith('lib/') && d.length > 0);
    expect(failing).toEqual([]);
  });

  test('a broken example fails the check, naming its problems; the right one passes', () => {
    expect(diagnostics.get('test/broken.ts:4')).toEqual([]);
    const broken = diagnostics.get('test/broken.ts:8') ?? [];
    expect(broken.join('\n')).toMatch(/'tabels' does not exist in type 'DataLakehouseProps'/);
    expect(broken.join('\n')).toMatch(/Cannot find name 'registry'/);
  });

  test('reads the given line; refuses a malformed one', () => {
    expect(givenDeclarations('// given: stack: Stack; sizes: Record<string, number>\nnew X();')).toBe('declare const stack: Stack;\ndeclare const sizes: Record<string, number>;');
    expect(givenDeclarations('new X();')).toBe('');
    expect(() => givenDeclarations('// given: stack')).toThrow(/malformed "given" declaration "stack"/);
    expect(examplesIn('x.ts', "/**\n * Start.\n * @example '2026-01-01'\n * @default 'NOW'\n */").map((e) => e.code)).toEqual(["'2026-01-01'"]);
  });
});
