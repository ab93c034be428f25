import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataLakehouse, PlatformTesting, Profiles, TESTING_ENV, ValidationError } from '../../lib';

describe('PlatformTesting: the test helpers a consumer uses (issue 15, finding 10)', () => {
  test('the app takes the feature flags of the app\'s cdk.json, stacks sit at a fixed environment, snapshots are normalized', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true, 'team:flag': 'yes' } }));
    const app = PlatformTesting.app({ cdkJson: path.join(dir, 'cdk.json'), context: { extra: 1 } });
    expect(app.node.tryGetContext('team:flag')).toBe('yes');
    expect(app.node.tryGetContext('extra')).toBe(1);
    const stack = PlatformTesting.stack(app, 'Data', { profile: Profiles.STAGING, project: 'acme' });
    expect({ account: stack.account, region: stack.region }).toEqual(TESTING_ENV);
    new DataLakehouse(stack, 'Lake');
    const snapshot = JSON.stringify(PlatformTesting.snapshot(stack));
    expect(snapshot).not.toMatch(/[a-f0-9]{64}/);
    expect(snapshot).toMatch(/acme-staging/);
  });

  test('fails with a ValidationError naming cdkJson when the file cannot be read', () => {
    expect(() => PlatformTesting.app({ cdkJson: '/nonexistent/cdk.json' })).toThrow(ValidationError);
    expect(() => PlatformTesting.app({ cdkJson: '/nonexistent/cdk.json' })).toThrow(/cdkJson \("\/nonexistent\/cdk.json"\): must be a readable JSON file/);
  });
});
