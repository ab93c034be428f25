import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** How one alarm compares its metric. */
export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** True: fires when the metric is at or above the threshold; false: at or below. */
  readonly above: boolean;
  readonly description: string;
  readonly evaluationPeriods: number;
  /** How periods without data count. @default not breaching */
  readonly missing?: cloudwatch.TreatMissingData;
  /** Whether the alarm notifies the topic itself (false when a composite alarm notifies for it). */
  readonly notify: boolean;
}

/**
 * Creates the stack's alarms with one set of conventions: generated names, a description that says
 * what breached and where, alarm and OK actions on the topic, and a record for the status widget.
 */
export class AlarmFactory {
  /** Every alarm created, in creation order (metric alarms, then composites). */
  public readonly alarms: cloudwatch.AlarmBase[] = [];
  /** The alarms with actions on the topic. */
  public readonly notifying: cloudwatch.AlarmBase[] = [];
  private readonly action: cw_actions.SnsAction;

  constructor(topic: sns.ITopic) {
    this.action = new cw_actions.SnsAction(topic);
  }

  /** A metric alarm. */
  public alarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.above
        ? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        : cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.evaluationPeriods,
      treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    if (spec.notify) this.notify(alarm);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Records an alarm created elsewhere (without actions: a composite notifies for it). */
  public adopt(alarm: cloudwatch.AlarmBase): void {
    this.alarms.push(alarm);
  }

  /** A composite alarm that fires when any of `alarms` does, and notifies. */
  public anyOf(scope: Construct, id: string, alarms: readonly cloudwatch.IAlarm[], description: string): cloudwatch.CompositeAlarm {
    const composite = new cloudwatch.CompositeAlarm(scope, id, {
      alarmRule: cloudwatch.AlarmRule.anyOf(...alarms.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
      alarmDescription: description,
    });
    this.notify(composite);
    this.alarms.push(composite);
    return composite;
  }

  /** Adds the topic as alarm and OK action (OK tells on-call the incident is over). */
  public notify(alarm: cloudwatch.AlarmBase): void {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.notifying.push(alarm);
  }
}
