import * as fs from 'fs';
import * as path from 'path';

// The README's TypeScript is compiled and synthesized by `npm run test:consumer` (in .ci/run)
// against the packed library; this test checks, offline and fast, what that check will see.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readmePrograms } = require('../../scripts/readme-programs.cjs') as { readmePrograms: (md: string) => Array<{ name: string; source: string }> };
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

describe('README programs', () => {
  let programs: Array<{ name: string; source: string }>;
  beforeAll(() => {
    programs = readmePrograms(README);
  });

  test('the README holds three programs: the constructs one by one, the platform, and the multi-account platform with its pipeline', () => {
    expect(programs.map((p) => p.name)).toEqual(['the constructs one by one', 'the platform', 'multi-account with the delivery pipeline']);
  });

  test('every program imports the library from the package root only, creates `app` and gets synthesized', () => {
    for (const p of programs) {
      expect(p.source).not.toMatch(/from '\.\/lib'|from '\.\.\/lib'|\/dist\//);
      expect(p.source).toMatch(/from '@mlops-cdk\/constructs'/);
      expect(p.source).toMatch(/const app = new App\(/);
      expect(p.source.trimEnd().endsWith('app.synth();')).toBe(true);
    }
  });

  test('the constructs program builds each of the six constructs', () => {
    for (const c of ['DataLakehouse', 'EtlPipeline', 'ModelRegistry', 'TrainingCluster', 'InferenceEndpoint', 'MonitoringStack']) {
      expect(programs[0].source).toMatch(new RegExp(`new ${c}\\(`));
    }
  });

  test('fails on a block that is not closed', () => {
    expect(() => readmePrograms('```ts\nconst x = 1;\n')).toThrow(/unterminated code block/);
  });
});
