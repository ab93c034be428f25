import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { allowCloudWatchAlarmsToUseKey, createAlertTopic } from '../core/alerts';
import { createKey } from '../core/encryption';
import { AlarmThresholds, Platform, alarmThresholdsOf } from '../core/environment';
import { resolveRemovalPolicy } from '../core/removal';
import { EndpointWatch, MONITORING_DEFAULTS, MonitoringStackProps } from './monitoring-stack-props';
import { AlarmFactory } from './private/alarm-factory';
import { alertOnFailedRuns, alertOnRolledBackStack } from './private/failure-events';
import { validateMonitoringProps } from './private/validate';
import { watchData } from './private/watch-data';
import { watchEndpoint } from './private/watch-endpoints';
import { watchMl } from './private/watch-ml';

/**
 * One environment's operations view: a dashboard, alarms with thresholds from the environment
 * profile, a KMS-encrypted TLS-only alarm topic, the platform's drift and model-quality job per
 * endpoint that captures data ({@link DriftMonitor}; SageMaker Model Monitor is an opt-in engine)
 * with alarms that start retraining, and failure events (ETL and training runs, drift-job runs,
 * rolled-back rollouts) on the topic.
 *
 * It takes the constructs it watches by interface and reads their `metric*` methods; it only adds
 * references from itself to them (drift reaches retraining by alarm name), so it can be deployed
 * last and replaced without touching the stacks it watches.
 *
 * @example
 * // given: app: App; lakehouse: IDataLakehouse; curate: IEtlPipeline; training: ITrainingCluster; registry: IModelRegistry; endpoint: IInferenceEndpoint
 * new MonitoringStack(app, 'mlops-dev-monitoring', {
 *   lakehouse, pipelines: [curate], trainingClusters: [training], registries: [registry],
 *   endpoints: [{ endpoint, registry, model: 'churn', drift: { quality: { threshold: 0.8 } }, retrain: training }],
 *   alarmEmails: ['ml-oncall@example.com'],
 * });
 */
export class MonitoringStack extends Stack {
  /** The topic every alarm and failure event notifies (KMS, TLS-only). */
  public readonly alarmTopic: sns.Topic;
  /** The environment's dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm of the stack: metric alarms first, then the composite model-health alarms. */
  public readonly alarms: readonly cloudwatch.AlarmBase[];
  /** The thresholds in force (profile's, with the overrides). */
  public readonly thresholds: AlarmThresholds;
  /** Per endpoint label: its composite model-health alarm, drift monitor and Model Monitor. */
  public readonly endpointWatches: ReadonlyMap<string, EndpointWatch>;

  constructor(scope: Construct, id: string, props: MonitoringStackProps = {}) {
    super(scope, id, props);
    const settings = Platform.of(this);
    this.thresholds = { ...alarmThresholdsOf(settings.profile), ...props.thresholds };
    validateMonitoringProps(this, props, this.thresholds);

    const key = props.encryptionKey ?? createKey(this, 'Key', {
      description: `Alarm topic of the ${settings.project} ${settings.profile.name} platform`,
      removalPolicy: resolveRemovalPolicy(this),
    });
    this.alarmTopic = createAlertTopic(this, 'AlarmTopic', key, `${settings.project} ${settings.profile.name} platform alarms`);
    allowCloudWatchAlarmsToUseKey(key);
    for (const email of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));

    const factory = new AlarmFactory(this.alarmTopic);
    const pipelines = props.pipelines ?? [];
    const trainings = props.trainingClusters ?? [];
    const rows: cloudwatch.IWidget[][] = [
      ...watchData(this, factory, this.thresholds, props.lakehouse, pipelines),
      ...watchMl(this, factory, this.thresholds, trainings, props.registries ?? []),
    ];
    const watches = new Map<string, EndpointWatch>();
    for (const e of props.endpoints ?? []) {
      const { watch, rows: endpointRows } = watchEndpoint(this, factory, this.thresholds, e, props.lakehouse, this.alarmTopic);
      watches.set(watch.label, watch);
      rows.push(...endpointRows);
    }

    pipelines.forEach((p) => {
      if (p.stateMachine) alertOnFailedRuns(this, `${p.node.id}FailedRunEvents`, p.stateMachine, this.alarmTopic, 'ETL pipeline', p.node.path);
    });
    trainings.forEach((c) => {
      if (c.stateMachine) alertOnFailedRuns(this, `${c.node.id}FailedRunEvents`, c.stateMachine, this.alarmTopic, 'Retraining', c.node.path);
    });
    const servingStacks = [...new Set((props.endpoints ?? []).map((e) => Stack.of(e.endpoint).stackName))];
    servingStacks.forEach((name, i) => alertOnRolledBackStack(this, `RolledBack${i}`, name, this.alarmTopic));

    this.alarms = factory.alarms;
    this.endpointWatches = watches;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    // The alarms that page, most recently changed first; a status widget holds at most 100 alarms.
    for (let i = 0; i < factory.notifying.length; i += MONITORING_DEFAULTS.alarmsPerStatusWidget) {
      const chunk = factory.notifying.slice(i, i + MONITORING_DEFAULTS.alarmsPerStatusWidget);
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
        title: i === 0 ? 'Alarms that notify' : 'Alarms that notify (continued)', alarms: chunk,
        width: MONITORING_DEFAULTS.dashboardWidth, height: Math.min(12, 2 + Math.ceil(chunk.length / 4)),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      }));
    }
    for (const row of rows) this.dashboard.addWidgets(...row);
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName, description: 'CloudWatch dashboard of this environment' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Topic every alarm and failure event notifies' });
  }
}
