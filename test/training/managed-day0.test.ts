/* eslint-disable @typescript-eslint/no-explicit-any -- template JSON. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { ColumnType, DataLakehouse, LakehouseZone, TableFormat, ValidationError } from '../../lib';
import { ModelRegistry } from '../../lib/registry';
import { ManagedTrainingOptions, TrainingCluster, TrainingImage } from '../../lib/training';
import { XGBOOST_REGISTRIES } from '../../lib/training/private/xgboost-registries';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from './helpers-training';
import { resolvePinned } from './managed-pinned';

function build(options: Partial<ManagedTrainingOptions> = {}, stack: Stack = testStack()) {
  const { lakehouse, registry } = trainingInputs(stack);
  const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions(options) });
  const template = Template.fromStack(stack);
  return { stack, training, template, registry, states: resolvePinned(stateMachineDefinition(template).States as Record<string, any>) };
}

function statements(template: Template, roleLogicalId: RegExp): any[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]) => (p.Properties.Roles as any[]).some((r) => roleLogicalId.test(JSON.stringify(r))))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (s: any): string[] => ([] as string[]).concat(s.Action);

describe('item 2: processing entrypoints name the script as it exists in the container', () => {
  const { states } = build();
  test.each(['Prepare', 'Evaluate'])('%s runs <LocalPath>/<last segment of the code S3Uri>', (name) => {
    const p = states[name].Parameters;
    const code = p.ProcessingInputs.find((i: any) => i.InputName === 'code').S3Input;
    expect(code.S3DataType).toBe('S3Prefix');
    // ProcessingS3Input (SageMaker API reference): the object under the S3Uri prefix is downloaded below LocalPath.
    const inContainer = `${code.LocalPath}/${String(code.S3Uri).split('/').pop()}`;
    expect(inContainer).toMatch(/^\/opt\/ml\/processing\/input\/code\/[0-9a-f]{64}\.py$/);
    expect(p.AppSpecification.ContainerEntrypoint).toEqual(['python3', inContainer]);
  });
});

describe('item 6: images', () => {
  test('default: the AWS sagemaker-xgboost:1.7-1 image for training, processing and inference, no ECR grant', () => {
    const { states, template } = build();
    const uri = '683313688378.dkr.ecr.us-east-1.${AWS::URLSuffix}/sagemaker-xgboost:1.7-1';
    expect(states.Train.Parameters.AlgorithmSpecification.TrainingImage).toBe(uri);
    expect(states.Prepare.Parameters.AppSpecification.ImageUri).toBe(uri);
    expect(states.Evaluate.Parameters.AppSpecification.ImageUri).toBe(uri);
    expect(states.Register.Parameters.InferenceSpecification.Containers[0].Image).toBe(uri);
    // Pre-built SageMaker images are pulled with service-owned credentials ("Docker Registry Paths and Example Code").
    expect(statements(template, /TrainingWorkflowJobRole/).flatMap(actionsOf).filter((a) => a.startsWith('ecr:'))).toEqual([]);
  });

  test('the built-in algorithm gets CSV input (ContentType text/csv) and its required num_round', () => {
    const { states } = build();
    expect(states.Train.Parameters.InputDataConfig[0].ContentType).toBe('text/csv');
    expect(states.Train.Parameters.HyperParameters).toEqual({ objective: 'binary:logistic', num_round: '100' });
    const custom = build({ training: { hyperparameters: { num_round: '300', max_depth: '6' } } }).states;
    expect(custom.Train.Parameters.HyperParameters).toEqual({ objective: 'binary:logistic', num_round: '300', max_depth: '6' });
  });

  test('an environment-agnostic stack resolves the registry at deploy time with Fn::FindInMap on AWS::Region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { template } = build({}, stack);
    const mapping = template.toJSON().Mappings.SageMakerXgboostRegistries;
    expect(mapping['eu-west-1']).toEqual({ account: '141502667606' });
    expect(Object.keys(mapping).sort()).toEqual(Object.keys(XGBOOST_REGISTRIES).sort());
    expect(JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine')))
      .toMatch(/"Fn::FindInMap":\["SageMakerXgboostRegistries",\{"Ref":"AWS::Region"\},"account"\]/);
  });

  test('every commercial region of the documentation is in the map', () => {
    for (const region of ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
      'eu-central-1', 'eu-north-1', 'eu-south-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1',
      'ap-southeast-2', 'ap-east-1', 'me-south-1', 'af-south-1']) {
      expect([region, XGBOOST_REGISTRIES[region]]).toEqual([region, expect.stringMatching(/^\d{12}$/)]);
    }
  });

  test('fails when an explicit region has no known registry, or the version is not published', () => {
    const app = new App();
    const stack = new Stack(app, 'Mars', { env: { account: '123456789012', region: 'mars-north-1' } });
    expect(() => build({}, stack)).toThrow(/managed\.image \("1\.7-1"\): has no known sagemaker-xgboost registry in region mars-north-1/);
    expect(() => build({ image: TrainingImage.xgboost('9.9-9') })).toThrow(/managed\.image \("9\.9-9"\): must be a sagemaker-xgboost version/);
  });

  test('fromRegistry: the registry\'s training repository for jobs, the inference repository for the package; pull only training', () => {
    const { states, template } = build({ image: TrainingImage.fromRegistry('2.0.0') });
    expect(JSON.stringify(states.Train.Parameters.AlgorithmSpecification.TrainingImage)).toMatch(/RegistryTrainingRepository/);
    expect(JSON.stringify(states.Register.Parameters.InferenceSpecification.Containers[0].Image)).toMatch(/RegistryInferenceRepository/);
    const pulls = statements(template, /TrainingWorkflowJobRole/).filter((s) => actionsOf(s).includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pulls)).toMatch(/RegistryTrainingRepository/);
    expect(JSON.stringify(pulls)).not.toMatch(/RegistryInferenceRepository/);
    expect(states.Train.Parameters.HyperParameters).toEqual({}); // no XGBoost defaults for a custom image
  });

  test('fromEcrRepository: that repository, pulled by the job role; inference may be set separately', () => {
    const stack = testStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Own', 'team/trainer');
    const { states, template } = build({ image: TrainingImage.fromEcrRepository(repo, 'v3'), inferenceImage: TrainingImage.xgboost() }, stack);
    expect(JSON.stringify(states.Train.Parameters.AlgorithmSpecification.TrainingImage)).toMatch(/team\/trainer:v3/);
    expect(states.Register.Parameters.InferenceSpecification.Containers[0].Image).toMatch(/sagemaker-xgboost:1\.7-1$/);
    expect(JSON.stringify(statements(template, /TrainingWorkflowJobRole/))).toMatch(/repository\/team\/trainer/);
  });
});

describe('item 5: the data contract', () => {
  test('features, label and id reach prepare and evaluate as container arguments and are exposed read-only', () => {
    const { states, training } = build();
    for (const name of ['Prepare', 'Evaluate']) {
      expect(states[name].Parameters.AppSpecification.ContainerArguments.slice(0, 6))
        .toEqual(['--features', 'tenure,monthly_charges', '--label', 'label', '--id', 'sample_id']);
    }
    expect(training.featureNames).toEqual(['tenure', 'monthly_charges']);
    expect(Object.isFrozen(training.featureNames)).toBe(true);
    expect(training.labelName).toBe('label');
    expect(training.sampleIdName).toBe('sample_id');
  });

  const stack = testStack();
  const { lakehouse, registry } = trainingInputs(stack);
  let n = 0;
  function errorOf(options: Partial<ManagedTrainingOptions>): ValidationError {
    try {
      new TrainingCluster(new Construct(stack, `C${n++}`), 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions(options) });
    } catch (e) {
      if (e instanceof ValidationError) return e;
      throw e;
    }
    throw new Error('expected a ValidationError');
  }

  test('fails when a feature, the label or the id is not a column of the source table', () => {
    const e = errorOf({ features: ['tenure', 'nope'], label: 'churned', sampleId: 'customer_id' });
    expect(e.message).toMatch(/managed\.features\[1\] \("nope"\): must be one of the columns of curated\.samples \(sample_id, tenure, monthly_charges, plan, label\)/);
    expect(e.problems.map((p) => p.property)).toEqual(['managed.features[1]', 'managed.label', 'managed.sampleId']);
  });

  test('fails when features are empty or repeated, or overlap the label or id', () => {
    expect(errorOf({ features: [] }).message).toMatch(/managed\.features \(\[\]\): must list at least one feature column/);
    expect(errorOf({ features: ['tenure', 'tenure'] }).message).toMatch(/must not repeat a column \(tenure\)/);
    expect(errorOf({ features: ['tenure', 'label'] }).message).toMatch(/managed\.label \("label"\): must not also be a feature/);
    expect(errorOf({ sampleId: 'label' }).message).toMatch(/managed\.sampleId \("label"\): must not be the label/);
  });

  test('fails when a feature is not numeric with the built-in XGBoost image; a custom image may take it', () => {
    expect(errorOf({ features: ['tenure', 'plan'] }).message)
      .toMatch(/managed\.features\[1\] \("plan"\): has type string; the built-in XGBoost image needs a numeric column/);
    expect(() => new TrainingCluster(new Construct(stack, 'Custom'), 'Training', {
      lakehouse, registry, model: 'churn', managed: managedOptions({ features: ['tenure', 'plan'], image: TrainingImage.fromRegistry('1.0.0') }),
    })).not.toThrow();
  });

  test('the registered version records its feature list; a list past the 256-character metadata value limit fails at synth', () => {
    const { states } = build();
    expect(states.Register.Parameters.CustomerMetadataProperties.features).toBe('tenure monthly_charges');
    const wide = testStack();
    const columns = Array.from({ length: 12 }, (_, i) => ({ name: `a_rather_long_feature_name_${i}`, type: ColumnType.DOUBLE }));
    const lake = new DataLakehouse(wide, 'Lake', { tables: [{ name: 'wide', zone: LakehouseZone.CURATED, columns: [...columns, { name: 'sample_id', type: ColumnType.STRING }, { name: 'y', type: ColumnType.DOUBLE }] }] });
    const reg = new ModelRegistry(wide, 'Registry', { models: [{ name: 'churn' }] });
    expect(() => new TrainingCluster(wide, 'Training', {
      lakehouse: lake, registry: reg, model: 'churn',
      managed: managedOptions({ source: { table: 'wide' }, features: columns.map((c) => c.name), label: 'y' }),
    })).toThrow(/managed\.features \("12 features, 349 characters"\): must join \(space-separated\) to at most 256 characters/);
  });

  test('fails when num_round is not a positive integer for the built-in XGBoost algorithm', () => {
    expect(errorOf({ training: { hyperparameters: { num_round: 'ten' } } }).message).toMatch(/managed\.training\.hyperparameters\.num_round \("ten"\)/);
  });
});

describe('item 7: a snapshot-consistent export through Athena, least privilege', () => {
  test('an Iceberg source is exported with UNLOAD in the lakehouse workgroup', () => {
    const stack = testStack();
    const lakehouse = new DataLakehouse(stack, 'Lake', {
      tables: [{
        name: 'training_samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG,
        columns: [{ name: 'sample_id', type: ColumnType.STRING }, { name: 'tenure', type: ColumnType.INT }, { name: 'churned', type: ColumnType.INT }],
      }],
    });
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
    new TrainingCluster(stack, 'Training', {
      lakehouse, registry, model: 'churn',
      managed: { ...managedOptions(), source: { table: 'training_samples' }, features: ['tenure'], label: 'churned' },
    });
    const states = resolvePinned(stateMachineDefinition(Template.fromStack(stack)).States as Record<string, any>);
    expect(states.Export.Resource).toBe('arn:aws:states:::athena:startQueryExecution.sync');
    // Read at the run's pinned snapshot (issue 19), see lineage.test.ts.
    expect(states.Export.Parameters['QueryString.$']).toMatch(/UNLOAD \(SELECT "sample_id", "churned", "tenure" FROM "mlops_prod_lake_curated"\."training_samples" FOR VERSION AS OF \{\}\)/);
    expect(states.Export.Parameters.WorkGroup).toBe(lakehouse.athenaWorkGroupName);
  });

  const { template } = build();
  const orchestrator = statements(template, /TrainingWorkflowRole/);
  const job = statements(template, /TrainingWorkflowJobRole/);

  test('the orchestrator may run queries in the workgroup, write the export prefix with the lakehouse key and SELECT through Lake Formation', () => {
    const athena = orchestrator.find((s) => actionsOf(s).includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena.Resource)).toMatch(/workgroup\/mlops-prod-lake/);
    const write = orchestrator.find((s) => actionsOf(s).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('training-exports'));
    expect(JSON.stringify(write.Resource)).toMatch(/LakeAnalyticsBucket.*\/training-exports\/churn\/\*/);
    expect(JSON.stringify(orchestrator)).toMatch(/kms:GenerateDataKey.*LakeKey|LakeKey.*kms:GenerateDataKey/s);
    const lf = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions'))
      .filter((r) => JSON.stringify(r.Properties.Principal).includes('TrainingWorkflowRole'));
    expect(lf.map((r) => r.Properties.Permissions)).toContainEqual(expect.arrayContaining(['SELECT']));
  });

  test('the job role reads only the export prefix of the lakehouse, no longer the whole source zone', () => {
    const lake = job.filter((s) => JSON.stringify(s.Resource).includes('LakeCuratedBucket'));
    expect(lake).toEqual([]);
    const read = job.find((s) => JSON.stringify(s.Resource).includes('training-exports'));
    expect(actionsOf(read)).toEqual(['s3:GetObject']);
  });
});
