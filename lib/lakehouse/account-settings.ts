import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { createKey } from '../core/encryption';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { resolveRemovalPolicy } from '../core/removal';
import { deploymentRoleArn, renderDataLakeSettings } from './private/governance';
import { claimAccountSingleton } from './private/singletons';

/** Props of {@link LakehouseAccountSettings}. */
export interface LakehouseAccountSettingsProps {
  /**
   * Data lake administrators (IAM role or user ARNs) appended to the account's administrators.
   * @default none besides the CDK CloudFormation execution role
   */
  readonly admins?: string[];
  /**
   * Also make the CDK CloudFormation execution role a data lake administrator, so that the Lake
   * Formation grants of every lakehouse in the account and region can be deployed by `cdk deploy`.
   * @default true
   */
  readonly adminDeploymentRole?: boolean;
  /**
   * Name of the SSM parameter that publishes the catalog key ARN (the lakehouses of the other
   * environments read it at deploy time, which also fails their deploy early when these settings
   * were never deployed).
   * @default `/<project>/account/catalog-key-arn`
   */
  readonly catalogKeyParameterName?: string;
  /**
   * Removal policy of the catalog key.
   * @default the profile's, through resolveRemovalPolicy
   */
  readonly removalPolicy?: RemovalPolicy;
}

const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;

/** The default SSM parameter name of the catalog key ARN for a project. */
export function catalogKeyParameterName(scope: IConstruct): string {
  return `/${Platform.of(scope).project}/account/catalog-key-arn`;
}

/**
 * The settings of the Glue Data Catalog and Lake Formation that exist once per account and
 * region, owned by exactly one stack there (the platform puts them in the first environment of an
 * account and region, in a `<project>-foundation` stack; see `buildPlatform`):
 *
 * - the Data Catalog encryption settings: SSE-KMS with a catalog key of their own, in mode
 *   `SSE-KMS-WITH-SERVICE-ROLE`, so that Glue assumes a role of these settings to encrypt and
 *   decrypt catalog objects on the caller's behalf (AWS Glue API reference, `EncryptionAtRest`,
 *   `CatalogEncryptionServiceRole`): the lakehouses of every environment keep their own keys, and no
 *   reader of the catalog needs a grant on a key of another environment;
 * - the Lake Formation data lake settings, appending the CDK deployment role (and `admins`) to the
 *   account's administrators (mutation type APPEND keeps the existing ones);
 * - an SSM parameter with the catalog key ARN.
 *
 * Lakehouses in the same account and region then set `manageCatalogEncryption: false` and
 * `lakeFormation.manageSettings: false`.
 */
export class LakehouseAccountSettings extends Construct {
  /** The key that encrypts the account's Data Catalog at rest and its connection passwords. */
  public readonly catalogKey: kms.IKey;
  /** The role Glue assumes to use the catalog key on behalf of callers. */
  public readonly catalogEncryptionRole: iam.IRole;
  /** Name of the SSM parameter holding the catalog key ARN. */
  public readonly catalogKeyParameterName: string;

  constructor(scope: Construct, id: string, props: LakehouseAccountSettingsProps = {}) {
    super(scope, id);
    const v = new Validator(this);
    v.matches(props.catalogKeyParameterName, SSM_NAME, 'catalogKeyParameterName',
      'must be an SSM parameter path: "/" followed by letters, digits, "_", ".", "-" or "/"');
    (props.admins ?? []).forEach((a, i) => v.matches(a, /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, `admins[${i}]`, 'must be an IAM role or user ARN'));
    v.throwIfAny();

    const stack = Stack.of(this);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    const key = createKey(this, 'CatalogKey', { description: `Glue Data Catalog of ${stack.account}/${stack.region} (${this.node.path})`, removalPolicy });
    this.catalogKey = key;

    // Glue assumes this role for every catalog read and write in the account (confused-deputy guard: this account only).
    const role = new iam.Role(this, 'CatalogEncryptionRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'Glue uses the Data Catalog key through this role on behalf of callers (SSE-KMS-WITH-SERVICE-ROLE)',
    });
    key.grant(role, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    this.catalogEncryptionRole = role;

    claimAccountSingleton(this, 'Glue Data Catalog encryption settings');
    claimAccountSingleton(this, 'Lake Formation data lake settings');
    const settings = new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
      catalogId: stack.account,
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS-WITH-SERVICE-ROLE', sseAwsKmsKeyId: key.keyArn, catalogEncryptionServiceRole: role.roleArn },
        connectionPasswordEncryption: { kmsKeyId: key.keyArn, returnConnectionPasswordEncrypted: true },
      },
    });
    // Glue checks that it can assume the role and use the key when the settings are written.
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) settings.node.addDependency(policy);

    const admins = [...(props.admins ?? [])];
    const deployRole = (props.adminDeploymentRole ?? true) ? deploymentRoleArn(this) : undefined;
    if (deployRole) admins.push(deployRole);
    renderDataLakeSettings(this, 'DataLakeSettings', admins);

    this.catalogKeyParameterName = props.catalogKeyParameterName ?? catalogKeyParameterName(this);
    new ssm.StringParameter(this, 'CatalogKeyArn', {
      parameterName: this.catalogKeyParameterName,
      stringValue: key.keyArn,
      description: `ARN of the Glue Data Catalog key of this account and region (${this.node.path})`,
    });
  }
}
