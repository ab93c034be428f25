import { Duration, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { AlarmThresholds } from '../core/environment';
import type { IEtlPipeline } from '../etl/etl-pipeline';
import type { IInferenceEndpoint } from '../inference/inference-endpoint';
import type { IDataLakehouse } from '../lakehouse/data-lakehouse';
import type { IModelRegistry } from '../registry/model-registry';
import type { ITrainingCluster } from '../training/training-cluster';
import type { DriftMonitor } from './drift-monitor';
import type { DriftMonitorProps } from './drift-monitor-props';
import type { ModelMonitor } from './model-monitor';
import type { ModelMonitorProps } from './model-monitor-props';

/** Model Monitor settings of a monitored endpoint; the endpoint and lakehouse come from the monitoring stack. */
export type EndpointModelMonitorOptions = Omit<ModelMonitorProps, 'endpoint' | 'lakehouse'>;

/**
 * The platform's drift and model-quality job on a monitored endpoint; the endpoint, lakehouse,
 * registry, model and alert topic come from the monitoring stack and the MonitoredEndpoint.
 */
export type EndpointDriftOptions = Omit<DriftMonitorProps, 'endpoint' | 'lakehouse' | 'registry' | 'model' | 'parameterName' | 'alertTopic'>;

/** An endpoint MonitoringStack watches, and what its drift starts. */
export interface MonitoredEndpoint {
  /** The endpoint. */
  readonly endpoint: IInferenceEndpoint;
  /**
   * Name of the endpoint on the dashboard and in alarm descriptions: letters, digits, hyphens and underscores.
   * @default the endpoint construct's id
   */
  readonly label?: string;
  /**
   * The registry whose versions the endpoint serves (in staging: prod's registry, imported). The
   * drift job reads the served version's baseline from it. Required while drift is on.
   * @default none (drift must then be turned off with `drift: false`, or the endpoint capture no data)
   */
  readonly registry?: IModelRegistry;
  /**
   * The registered model the endpoint serves. Required while drift is on.
   * @default none
   */
  readonly model?: string;
  /**
   * The SSM parameter the endpoint's `ModelSource.fromRegistry` reads the served version from.
   * @default `/<project>/<env>/models/<model>/approved-package-arn` (approvedPackageParameterName)
   */
  readonly parameterName?: string;
  /**
   * The platform's drift and model-quality job ({@link DriftMonitor}) on the endpoint's captured
   * data, or `false` for none. Its drift and quality alarms join the model-health alarm and start
   * `retrain`.
   * @default on when the endpoint captures data, with the DriftMonitor defaults and the features of `retrain` (its data contract)
   */
  readonly drift?: EndpointDriftOptions | false;
  /**
   * SageMaker Model Monitor schedules (data quality, optionally model quality) on the endpoint's
   * captured data, with drift alarms: an opt-in engine for accounts that still have Model Monitor
   * (it is closed to new customers; SageMaker developer guide, "Model Monitor availability
   * change"), best in a stack of its own so that a refusal cannot roll back the dashboard and
   * alarms. The endpoint must capture data.
   * @default no Model Monitor schedules
   */
  readonly modelMonitor?: EndpointModelMonitorOptions;
  /**
   * The retraining workflow the drift and model-quality alarms start (through `retrainOn`, by
   * alarm name). Requires drift or `modelMonitor`.
   * @default drift alarms only notify
   */
  readonly retrain?: ITrainingCluster;
}

/** What MonitoringStack built for one endpoint. */
export interface EndpointWatch {
  /** The endpoint's label. */
  readonly label: string;
  /** Fires (and notifies) when any error, latency, drift or quality alarm of the endpoint does. */
  readonly modelHealth: cloudwatch.CompositeAlarm;
  /** The platform's drift and model-quality job and alarms, when on. */
  readonly drift?: DriftMonitor;
  /** Model Monitor schedules and drift alarms, when configured. */
  readonly modelMonitor?: ModelMonitor;
}

/** Props of a {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /**
   * The lakehouse: its zones on the dashboard, where the drift job reads captured data and ground
   * truth and writes reports, and where Model Monitor reads baselines. Required when an endpoint
   * has drift on or `modelMonitor`.
   * @default no lakehouse widgets
   */
  readonly lakehouse?: IDataLakehouse;
  /**
   * ETL pipelines: runs, failures and freshness on the dashboard and in alarms; failed runs to the topic.
   * @default none
   */
  readonly pipelines?: IEtlPipeline[];
  /**
   * Retraining workflows: runs, failures and durations; failed runs to the topic.
   * @default none
   */
  readonly trainingClusters?: ITrainingCluster[];
  /**
   * Registries: approvals and rejections.
   * @default none
   */
  readonly registries?: IModelRegistry[];
  /**
   * Endpoints: invocations, latency, errors, utilization, capacity, drift and model quality; a
   * composite model-health alarm each; rolled-back updates of their stacks and failed drift-job
   * runs to the topic.
   * @default none
   */
  readonly endpoints?: MonitoredEndpoint[];
  /**
   * Overrides of the alarm thresholds.
   * @default the profile's thresholds (see `alarmThresholdsOf`)
   */
  readonly thresholds?: Partial<AlarmThresholds>;
  /**
   * Email addresses subscribed to the alarm topic (each must confirm the subscription).
   * @default no subscriptions
   */
  readonly alarmEmails?: string[];
  /**
   * Key of the alarm topic.
   * @default a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/** Defaults and limits of the monitoring stack. */
export const MONITORING_DEFAULTS = {
  /** Width of the dashboard in grid units (CloudWatch's full width). */
  dashboardWidth: 24,
  /** Period of the staleness alarm on batch ETL successes. */
  silencePeriod: Duration.hours(1),
  /** Longest evaluation window CloudWatch accepts for periods of an hour or more. */
  maxSilence: Duration.days(7),
  /** Most alarms one alarm status widget shows. */
  alarmsPerStatusWidget: 100,
};
