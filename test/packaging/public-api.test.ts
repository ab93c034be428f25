import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// What a consumer can reach is decided by package.json `exports`: these tests read the entry
// points from there and check what each one exports and loads, from the TypeScript sources.
const ROOT = path.join(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
};

/** package.json subpath -> the lib/ source it is built from (`./dist/x/index.js` -> `lib/x/index.ts`). */
function entryPoints(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(PKG.exports)) {
    const js = typeof target === 'string' ? target : target.default;
    if (!js.endsWith('.js')) continue; // ./package.json
    out[subpath] = path.join(LIB, js.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
  }
  return out;
}

/**
 * A program over lib/ only: other modules (aws-cdk-lib, cdktf) stay unresolved, which keeps this
 * well under a second and is enough to follow our own exports and imports.
 */
function libProgram(entry: string): ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noLib: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  const inLib = (f: string) => path.resolve(f).startsWith(LIB + path.sep);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => inLib(f) && fileExists(f);
  host.getSourceFile = (f, ...rest) => (inLib(f) ? getSourceFile(f, ...rest) : undefined);
  return ts.createProgram([entry], options, host);
}

/** Each exported name of the entry point -> the lib/ files that declare it. */
function exportedDeclarations(program: ts.Program, entry: string): Map<string, string[]> {
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
  const out = new Map<string, string[]>();
  if (!moduleSymbol) return out; // a module with no exports at all
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    out.set(symbol.name, (target.declarations ?? []).map((d) => path.relative(ROOT, d.getSourceFile().fileName).split(path.sep).join('/')));
  }
  return out;
}

const libFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');

describe('public API', () => {
  const entries = entryPoints();

  test('package.json exports the package root and the kubernetes subpath, each built from a lib/ index', () => {
    expect(Object.keys(entries).sort()).toEqual(['.', './kubernetes']);
    for (const source of Object.values(entries)) expect(fs.existsSync(source)).toBe(true);
  });

  test('the package root exports the constructs a user composes', () => {
    const names = exportedDeclarations(libProgram(entries['.']), entries['.']);
    for (const name of ['DataLakehouse', 'IDataLakehouse', 'DataLakehouseProps', 'LakehouseZone', 'ColumnType', 'TableFormat', 'applyPlatform', 'Profiles', 'ValidationError']) {
      expect(names.has(name)).toBe(true);
    }
  });

  test.each(Object.keys(entries))('%s exports nothing declared under a private/ folder', (subpath) => {
    const leaked = [...exportedDeclarations(libProgram(entries[subpath]), entries[subpath])]
      .filter(([, files]) => files.some((f) => f.includes('/private/')))
      .map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(leaked).toEqual([]);
  });

  test('the package root never loads the Kubernetes layer, so an app without it needs no cdktf', () => {
    const loaded = libProgram(entries['.']).getSourceFiles().map((f) => rel(f.fileName));
    expect(loaded).toContain('lib/index.ts');
    expect(loaded.filter((f) => f.startsWith('lib/kubernetes/'))).toEqual([]);
  });

  test('cdktf is imported only inside lib/kubernetes/', () => {
    const offenders = libFiles(LIB)
      .filter((f) => !rel(f).startsWith('lib/kubernetes/'))
      .flatMap((f) => ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true).importedFiles
        .filter((i) => /^(cdktf|@cdktf\/)/.test(i.fileName))
        .map((i) => `${rel(f)} imports ${i.fileName}`));
    expect(offenders).toEqual([]);
  });
});
