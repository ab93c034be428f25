import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformPipeline } from '../../lib';
import { ENVIRONMENTS, TOOLING_ACCOUNT, buildPipelineExample } from '../../examples/pipeline';
import { SKIP_BUNDLING, testApp, validationViolations } from '../helpers/app';
import { missingContext } from '../helpers/offline';

/**
 * The tests of examples/pipeline.ts. test/app.test.ts runs them in its validated file, so that one
 * validation engine (seconds to start) serves every validated synth of the suite.
 */
export function describePipelineExample(): void {
  // As `cdk synth` runs it: aws-cdk-lib's CloudFormation schema validation on (cdk.json turns its
  // findings into errors; test/app.test.ts turns it on for its whole file) and cdk-nag AwsSolutions,
  // over the tooling stack and every stage it deploys.

  describe('examples/pipeline.ts', () => {
    let app: App;
    let pipeline: PlatformPipeline;
    beforeAll(() => {
      app = testApp(SKIP_BUNDLING);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      pipeline = buildPipelineExample(app);
      app.synth();
    });

    test('synthesizes with zero validation findings and zero unacknowledged cdk-nag findings', () => {
      expect(validationViolations(app)).toEqual([]);
    });

    test('synthesizes offline: no context lookup', () => {
      expect(missingContext(app)).toEqual([]);
    });

    test('the tooling account hosts the pipeline; dev, prod and staging deploy into their own accounts in that order, prod after an approval', () => {
      const t = Template.fromStack(pipeline.pipeline.pipeline.stack);
      expect(pipeline.pipeline.pipeline.stack.account).toBe(TOOLING_ACCOUNT);
      // Staging serves prod's registry (prod's stack outputs at deploy time): prod deploys first.
      expect(pipeline.stageOrder).toEqual([['dev'], ['prod'], ['staging']]);
      expect(pipeline.approvalBefore).toEqual(['prod']);
      const roles = JSON.stringify(t.findResources('AWS::IAM::Policy'));
      for (const env of Object.values(ENVIRONMENTS)) expect(roles).toContain(`cdk-hnb659fds-deploy-role-${env.account}-${env.region}`);
    });

    test('its synth step synthesizes this example (the repository\'s cdk.json runs the default app)', () => {
      const t = Template.fromStack(pipeline.pipeline.pipeline.stack);
      const specs = Object.values(t.findResources('AWS::CodeBuild::Project')).map((p) => JSON.parse(p.Properties.Source.BuildSpec as string));
      expect(specs.find((s) => s.artifacts?.['base-directory'] === 'cdk.out').phases.build.commands.at(-1)).toBe('npx cdk synth --app "npx ts-node --swc examples/pipeline.ts"');
    });
  });
}
