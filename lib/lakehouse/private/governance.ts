import { CfnResource, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { chainPrincipalPermissions } from './grant-order';

/**
 * The ARN of the CloudFormation execution role `cdk deploy` uses, when the stack uses the default
 * synthesizer; undefined otherwise (a custom synthesizer's role is not known here).
 */
export function deploymentRoleArn(scope: Construct): string | undefined {
  const synth = Stack.of(scope).synthesizer;
  // The synthesizer's ARN carries ${AWS::AccountId}-style placeholders that only Fn::Sub resolves.
  return synth instanceof DefaultStackSynthesizer ? Fn.sub(synth.cloudFormationExecutionRoleArn) : undefined;
}

/** Renders the data lake settings that append administrators to the account's list. */
export function renderDataLakeSettings(scope: Construct, id: string, admins: readonly string[]): lakeformation.CfnDataLakeSettings {
  return new lakeformation.CfnDataLakeSettings(scope, id, {
    mutationType: 'APPEND',
    admins: admins.map((arn) => ({ dataLakePrincipalIdentifier: arn })),
  });
}

/** What one Lake Formation grant covers. */
export interface LakeFormationGrantSpec {
  readonly principalArn: string;
  readonly databaseName: string;
  readonly databasePermissions: readonly string[];
  readonly tablePermissions: readonly string[];
  /** Set for writers: the registered location they may create tables in. */
  readonly location?: { readonly arn: string; readonly permissions: readonly string[] };
  /** Resources the grants must be created after (settings, database, registration). */
  readonly dependsOn: readonly CfnResource[];
}

/** Renders the Lake Formation permissions of one principal on one zone. */
export function renderLakeFormationGrant(scope: Construct, spec: LakeFormationGrantSpec): void {
  const principal = { dataLakePrincipalIdentifier: spec.principalArn };
  const all: lakeformation.CfnPrincipalPermissions[] = [
    new lakeformation.CfnPrincipalPermissions(scope, 'Database', {
      principal,
      resource: { database: { catalogId: Stack.of(scope).account, name: spec.databaseName } },
      permissions: [...spec.databasePermissions],
      permissionsWithGrantOption: [],
    }),
    new lakeformation.CfnPrincipalPermissions(scope, 'Tables', {
      principal,
      resource: { table: { catalogId: Stack.of(scope).account, databaseName: spec.databaseName, tableWildcard: {} } },
      permissions: [...spec.tablePermissions],
      permissionsWithGrantOption: [],
    }),
  ];
  if (spec.location) {
    all.push(new lakeformation.CfnPrincipalPermissions(scope, 'Location', {
      principal,
      resource: { dataLocation: { catalogId: Stack.of(scope).account, resourceArn: spec.location.arn } },
      permissions: [...spec.location.permissions],
      permissionsWithGrantOption: [],
    }));
  }
  for (const p of all) {
    for (const d of spec.dependsOn) p.addResourceDependency(d);
  }
  chainPrincipalPermissions(scope);
}
