import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataLakehouse, EnvironmentName, LakehouseAccountSettings, PlatformEnvironment, PlatformStage, Profiles, applyPlatform, buildPlatform } from '../../lib';
import { DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { platformStacks } from '../helpers/platform';

const SINGLETONS = ['AWS::Glue::DataCatalogEncryptionSettings', 'AWS::LakeFormation::DataLakeSettings'];

/** Every stack of a built platform that holds a resource of `type`. */
function owners(stages: Iterable<PlatformStage>, type: string): string[] {
  return [...stages].flatMap((s) => platformStacks(s)).filter((s) => Object.keys(Template.fromStack(s).findResources(type)).length > 0).map((s) => s.stackName);
}

describe('account-wide settings have one owner per account and region (issue 14)', () => {
  test('-c env=all in one account: exactly one stack (mlops-foundation, in dev) owns each setting', () => {
    const stages = buildPlatform(testApp({ ...SKIP_BUNDLING }), { definition: DEFINITION, environments: ENVIRONMENTS, select: ['dev', 'staging', 'prod'] });
    for (const type of SINGLETONS) expect({ type, owners: owners(stages.values(), type) }).toEqual({ type, owners: ['mlops-foundation'] });
    expect(stages.get('dev')!.foundationStack).toBeDefined();
    expect(stages.get('staging')!.foundationStack).toBeUndefined();
    expect(stages.get('prod')!.foundationStack).toBeUndefined();
    // The owner's data stack deploys after its foundation; the others check at deploy time that it exists.
    expect(stages.get('dev')!.dataStack.dependencies).toContain(stages.get('dev')!.foundationStack);
    for (const env of ['staging', 'prod'] as const) {
      const t = Template.fromStack(stages.get(env)!.dataStack);
      expect(t.toJSON().Parameters.AccountCatalogKey).toEqual(expect.objectContaining({
        Type: 'AWS::SSM::Parameter::Value<String>', Default: '/mlops/account/catalog-key-arn',
      }));
    }
    Template.fromStack(stages.get('dev')!.foundationStack!).hasResourceProperties('AWS::SSM::Parameter', { Name: '/mlops/account/catalog-key-arn' });
  });

  test('ownership does not depend on the selection: -c env=prod alone does not claim what dev owns', () => {
    const stages = buildPlatform(testApp({ ...SKIP_BUNDLING }), { definition: DEFINITION, environments: ENVIRONMENTS, select: ['prod'] });
    for (const type of SINGLETONS) expect(owners(stages.values(), type)).toEqual([]);
  });

  test('environments in separate accounts each own their account\'s settings', () => {
    const envs: Partial<Record<EnvironmentName, PlatformEnvironment>> = {
      dev: { ...ENVIRONMENTS.dev, account: '111111111111', region: 'eu-west-1' },
      staging: { ...ENVIRONMENTS.staging, account: '222222222222', region: 'eu-west-1', promotesTo: [] },
      prod: { ...ENVIRONMENTS.prod, account: '222222222222', region: 'eu-west-1', promotesTo: [{ environment: 'staging' }, { environment: 'prod', requireApproval: true }] },
    };
    const stages = buildPlatform(testApp({ ...SKIP_BUNDLING }), { definition: DEFINITION, environments: envs, select: ['dev', 'staging', 'prod'] });
    expect([...stages.values()].filter((s) => s.foundationStack).map((s) => s.environmentName)).toEqual(['dev', 'staging']);
  });

  test('fails synth when two stages in one account and region both claim the settings', () => {
    const app = testApp({ ...SKIP_BUNDLING });
    new PlatformStage(app, 'dev', { definition: DEFINITION, environment: ENVIRONMENTS.dev });
    new PlatformStage(app, 'prod', { definition: DEFINITION, environment: { ...ENVIRONMENTS.prod, promotesTo: [{ environment: 'prod' }] } });
    expect(() => app.synth()).toThrow(/Glue Data Catalog encryption settings in account of the CLI's credentials, region of the CLI's profile are claimed by 2 constructs \(dev\/Foundation\/AccountSettings, prod\/Foundation\/AccountSettings\): exactly one stack per account and region may own them/);
  });

  test('fails synth when two lakehouses in one account and region both manage the settings; different regions are fine', () => {
    const build = (third: boolean) => {
      const app = new App();
      applyPlatform(app, { project: 'acme', profile: Profiles.DEV, owner: 'o', costCentre: 'c' });
      new DataLakehouse(new Stack(app, 'A', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Lake');
      new DataLakehouse(new Stack(app, 'B', { env: { account: '111111111111', region: 'eu-central-1' } }), 'Lake');
      if (third) new DataLakehouse(new Stack(app, 'C', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Lake', { manageCatalogEncryption: false });
      return () => app.synth();
    };
    expect(build(false)).not.toThrow();
    expect(build(true)).toThrow(/Lake Formation data lake settings in account 111111111111, region eu-west-1 are claimed by 2 constructs \(A\/Lake, C\/Lake\)/);
  });
});

describe('LakehouseAccountSettings', () => {
  const app = new App();
  applyPlatform(app, { project: 'acme', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
  const stack = new Stack(app, 'Foundation', { env: { account: '111111111111', region: 'eu-west-1' } });
  const settings = new LakehouseAccountSettings(stack, 'Settings', { admins: ['arn:aws:iam::111111111111:role/DataSteward'] });
  const t = Template.fromStack(stack);

  test('encrypts the catalog with its own key through a Glue service role, so no reader needs a grant on another environment\'s key', () => {
    // AWS Glue API reference, EncryptionAtRest: SSE-KMS-WITH-SERVICE-ROLE, CatalogEncryptionServiceRole.
    t.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      CatalogId: '111111111111',
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: {
          CatalogEncryptionMode: 'SSE-KMS-WITH-SERVICE-ROLE',
          SseAwsKmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SettingsCatalogKey'), 'Arn'] },
          CatalogEncryptionServiceRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SettingsCatalogEncryptionRole'), 'Arn'] },
        },
        ConnectionPasswordEncryption: { ReturnConnectionPasswordEncrypted: true },
      },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(settings.catalogKeyParameterName).toBe('/acme/account/catalog-key-arn');
  });

  test('appends the deployment role and the given administrators to Lake Formation', () => {
    const [lf] = Object.values(t.findResources('AWS::LakeFormation::DataLakeSettings'));
    expect(lf.Properties.MutationType).toBe('APPEND');
    expect(JSON.stringify(lf.Properties.Admins)).toMatch(/DataSteward.*cfn-exec-role/);
  });

  test('fails when an administrator is not an IAM role or user ARN', () => {
    const s = new Stack(new App(), 'S');
    applyPlatform(s, { project: 'acme', profile: Profiles.PROD, owner: 'o', costCentre: 'c' });
    expect(() => new LakehouseAccountSettings(s, 'Bad', { admins: ['someone'] })).toThrow(/admins\[0\] \("someone"\): must be an IAM role or user ARN/);
  });
});
