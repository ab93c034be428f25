import { EnvironmentName, PlatformEnvironment, Profiles } from '../../lib';
import { deploymentOrder, deployTimeReads } from '../../lib/pipeline/private/order';

const env = (name: EnvironmentName, account: string | undefined, promotesTo?: EnvironmentName[]): PlatformEnvironment => ({
  name, profile: Profiles.DEV, account, region: account ? 'eu-west-1' : undefined, owner: 'o', costCentre: 'c',
  promotesTo: promotesTo?.map((environment) => ({ environment })),
});

describe('deployment order', () => {
  test('prod releasing to staging in another account: staging reads prod (its registry), not the other way round', () => {
    const envs = { dev: env('dev', '111111111111', ['dev']), staging: env('staging', '222222222222', []), prod: env('prod', '333333333333', ['staging', 'prod']) };
    expect(deployTimeReads(envs, 'staging')).toEqual(['prod']);
    expect(deployTimeReads(envs, 'prod')).toEqual([]);
    expect(deploymentOrder(envs, false).waves).toEqual([['dev'], ['prod'], ['staging']]);
    expect(deploymentOrder(envs, true).waves).toEqual([['dev', 'prod'], ['staging']]);
  });

  test('environments without an account share the CLI account: the first one owns its settings', () => {
    const envs = { staging: env('staging', undefined), prod: env('prod', undefined) };
    expect(deployTimeReads(envs, 'prod')).toEqual(['staging']);
    expect(deploymentOrder(envs, true).waves).toEqual([['staging'], ['prod']]);
  });

  test('an environment that promotes to itself by default reads nothing else', () => {
    expect(deployTimeReads({ dev: env('dev', '111111111111') }, 'dev')).toEqual([]);
  });
});
