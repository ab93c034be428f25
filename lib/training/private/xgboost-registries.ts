import { IConstruct } from 'constructs';
import { regionalImageKnown, regionalImageUri } from '../../core/regional-images';

/** Repository of the SageMaker XGBoost framework / built-in algorithm image (versions 0.90-1 and later). */
export const XGBOOST_REPOSITORY = 'sagemaker-xgboost';

/**
 * The `sagemaker-xgboost` versions SageMaker publishes (tags `<xgboost>-<container>`), as the
 * SageMaker Python SDK's `src/sagemaker/image_uri_config/xgboost.json` lists them. Every one of
 * them lives in the same registry account per region (the table below).
 */
export const XGBOOST_VERSIONS: readonly string[] = ['0.90-1', '0.90-2', '1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1', '2.1-0'];

/**
 * The AWS account that hosts `sagemaker-xgboost` in each region: "Docker Registry Paths and Example
 * Code" (SageMaker developer guide, XGBoost (algorithm), e.g. ap-southeast-2:
 * `783357654285.dkr.ecr.ap-southeast-2.amazonaws.com/sagemaker-xgboost:<tag>`), and the SageMaker
 * Python SDK's `image_uri_config/xgboost.json` entry for "1.7-1" (the registries of training and
 * inference scope are the same). Commercial, China and GovCloud regions; the ISO partitions are left
 * out. A region outside this table fails synth (a concrete region) or the deployment (an
 * environment-agnostic stack: `Fn::FindInMap` has no entry); use `TrainingImage.fromEcrRepository` there.
 */
export const XGBOOST_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** Construct ID of the one mapping per stack, shared by every TrainingCluster in it. */
const MAPPING_ID = 'SageMakerXgboostRegistries';

/** True when the XGBoost registry of `region` is known (a token region: the mapping decides at deploy time). */
export function xgboostRegionKnown(region: string): boolean {
  return regionalImageKnown({ mappingId: MAPPING_ID, registries: XGBOOST_REGISTRIES, repository: XGBOOST_REPOSITORY }, region);
}

/** The image URI of `sagemaker-xgboost:<version>` for the stack of `scope`, without a lookup (see `regionalImageUri`). */
export function xgboostImageUri(scope: IConstruct, version: string): string {
  return regionalImageUri(scope, { mappingId: MAPPING_ID, registries: XGBOOST_REGISTRIES, repository: `${XGBOOST_REPOSITORY}:${version}` });
}
