import { Duration, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { AlarmThresholds } from '../core/environment';
import type { IEtlPipeline } from '../etl/etl-pipeline';
import type { IInferenceEndpoint } from '../inference/inference-endpoint';
import type { IDataLakehouse } from '../lakehouse/data-lakehouse';
import type { IModelRegistry } from '../registry/model-registry';
import type { ITrainingCluster } from '../training/training-cluster';
import type { ModelMonitor } from './model-monitor';
import type { ModelMonitorProps } from './model-monitor-props';

/** Model Monitor settings of a monitored endpoint; the endpoint and lakehouse come from the monitoring stack. */
export type EndpointModelMonitorOptions = Omit<ModelMonitorProps, 'endpoint' | 'lakehouse'>;

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
   * SageMaker Model Monitor schedules (data quality, optionally model quality) on the endpoint's
   * captured data, with drift alarms. The endpoint must capture data.
   * @default no Model Monitor schedules (nor drift alarms)
   */
  readonly modelMonitor?: EndpointModelMonitorOptions;
  /**
   * The retraining workflow a drift or model-quality alarm starts (through `retrainOn`).
   * Requires `modelMonitor`.
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
  /** Model Monitor schedules and drift alarms, when configured. */
  readonly modelMonitor?: ModelMonitor;
}

/** Props of a {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /**
   * The lakehouse: its zones on the dashboard, and where Model Monitor reads baselines and writes
   * reports. Required when an endpoint has `modelMonitor`.
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
   * Endpoints: invocations, latency, errors, utilization, capacity, Model Monitor drift; a
   * composite model-health alarm each; rolled-back updates of their stacks to the topic.
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
