import { IConstruct } from 'constructs';
import { regionalImageKnown, regionalImageUri } from '../../core/regional-images';

/** Repository of the AWS-owned Model Monitor analyzer image (the built-in data and model quality container). */
export const ANALYZER_REPOSITORY = 'sagemaker-model-monitor-analyzer';

/**
 * The AWS account that hosts the analyzer image in each region, as the SageMaker Python SDK's
 * `image_uri_config/model-monitor.json` lists it (the authority for these registries). Every region
 * it lists is here; a region outside this table needs the `imageUri` prop.
 */
export const ANALYZER_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};

/** The analyzer image: one mapping per stack, shared by every ModelMonitor in it. */
const ANALYZER_IMAGE = { mappingId: 'ModelMonitorAnalyzerRegistries', registries: ANALYZER_REGISTRIES, repository: ANALYZER_REPOSITORY };

/** True when the analyzer image of `region` is known (tokens are: the mapping decides at deploy time). */
export function analyzerRegionKnown(region: string): boolean {
  return regionalImageKnown(ANALYZER_IMAGE, region);
}

/** The analyzer image URI for the stack of `scope`, without a lookup (see `regionalImageUri`). */
export function analyzerImageUri(scope: IConstruct): string {
  return regionalImageUri(scope, ANALYZER_IMAGE);
}
