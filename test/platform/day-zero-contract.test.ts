import { Template } from 'aws-cdk-lib/assertions';
import { LakehouseZone } from '../../lib';
import { buildDefaultApp } from '../../bin/main';
import { SKIP_BUNDLING, testApp } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';

// Issue 12, "What must show", over the synthesized default app with every environment.
describe('default app (-c env=all): images and the data contract', () => {
  const { stages } = buildDefaultApp(testApp({ ...SKIP_BUNDLING, env: 'all' }));

  test('no training or processing step uses an image that must be pushed first: every step runs the AWS-provided image of the region map', () => {
    for (const stage of stages.values()) {
      for (const ml of stage.mlStacks) {
        const t = Template.fromStack(ml);
        for (const id of Object.keys(t.findResources('AWS::StepFunctions::StateMachine')).filter((k) => k.includes('Training'))) {
          const states = stateMachineDefinition(t, new RegExp(`^${id}$`)).States;
          const jobs = Object.entries(states).filter(([, s]) => /createProcessingJob|createTrainingJob/.test(String(s.Resource)));
          expect(jobs.map(([n]) => n).sort()).toEqual(['Baseline', 'Evaluate', 'Prepare', 'Train']);
          for (const [, s] of jobs) {
            const image = JSON.stringify(s.Parameters).match(/"(?:ImageUri|TrainingImage)":"([^"]*)"/)?.[1] ?? '';
            // The region map's account, then the public repository name: nothing from the registry's own ECR repositories.
            expect(image).toBe('${token}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/sagemaker-xgboost:1.7-1'); // ${token}: Fn::FindInMap of the region map
          }
        }
      }
    }
  });

  test('every drift feature is a column of a lakehouse table, and the drift features are the training features, in order (staging and prod; dev has no drift job)', () => {
    for (const stage of stages.values()) {
      const training = stage.trainings.get('churn')!;
      const watch = stage.monitoringStack.endpointWatches.get('Churn')!;
      // Dev serves serverless by its profile (issue 18): SageMaker captures nothing from a serverless
      // endpoint, so dev has no drift job (test/platform/dev-profile.test.ts); staging and prod have one.
      if (stage.environmentName === 'dev') {
        expect(watch.drift).toBeUndefined();
        continue;
      }
      expect(watch.drift).toBeDefined();
      expect(watch.drift!.features).toEqual([...training.featureNames!]);
      const table = stage.lakehouse.findTable(LakehouseZone.CURATED, 'training_samples')!;
      const columns = table.columns.map((c) => c.name);
      for (const f of watch.drift!.features) expect(columns).toContain(f);
    }
  });
});
