import { EnvironmentName, PlatformEnvironment, ValidationError, buildPlatform } from '../../lib';
import { DEFINITION, buildDefaultApp } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { SKIP_BUNDLING, testApp } from '../helpers/app';

// Issue 15, finding 2: "selecting staging alone fails ('nothing promotes to staging')". A team that
// deploys one environment per pipeline run selects it alone; that must build, and a definition where
// nothing feeds the selected environment must say which setting to change.
describe('selecting one environment', () => {
  test('the default app with -c env=staging builds staging alone, serving what prod\'s registry releases', () => {
    const { app, stages } = buildDefaultApp(testApp({ env: 'staging', ...SKIP_BUNDLING }));
    expect([...stages.keys()]).toEqual(['staging']);
    const staging = stages.get('staging')!;
    // prod's stage is built only in a detached app (to read its promotion's targets), never in this one.
    expect(app.node.tryFindChild('prod')).toBeUndefined();
    // Staging's endpoints read the approved version of prod's registry (imported), not of its own.
    for (const serving of staging.servingStacks) expect(serving.node.tryFindChild('ReleaseRegistry')).toBeDefined();
  });

  test('fails, before building anything, when nothing promotes to the selected environment, naming the setting and the rule', () => {
    const environments: Partial<Record<EnvironmentName, PlatformEnvironment>> = {
      ...ENVIRONMENTS,
      prod: { ...ENVIRONMENTS.prod, promotesTo: [{ environment: 'prod' }] },
    };
    const app = testApp(SKIP_BUNDLING);
    let error: unknown;
    try {
      buildPlatform(app, { definition: DEFINITION, environments, select: ['staging'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/environments\.\*\.promotesTo/);
    expect(message).toMatch(/nothing promotes to staging/);
    expect(message).toMatch(/exactly one environment must promote to staging \(its endpoints serve what that environment's registry approves\)/);
    // ...and says how to fix it.
    expect(message).toMatch(/add \{ environment: 'staging' \} to environments\.staging\.promotesTo \(staging serves its own approvals\) or to the promotesTo of the environment whose releases it serves/);
    expect(app.node.children).toHaveLength(0);
  });
});
