import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import { executionStatusPattern } from '../core/executions';
import { IEtlPipeline } from '../etl/etl-pipeline';

/** What a {@link RetrainTrigger} resolves to: an EventBridge pattern and a description. */
export interface RetrainTriggerConfig {
  /** Events that start a retraining run. */
  readonly eventPattern: events.EventPattern;
  /** Human description of the trigger, used on the rule. */
  readonly description: string;
  /** Short name of the trigger kind, passed to the run as `trigger`. */
  readonly kind: string;
}

/**
 * Something that starts a retraining run: a batch ETL pipeline's success (new data passed its
 * quality gate), a CloudWatch alarm going into ALARM (MonitoringStack's drift alarm), or any
 * EventBridge pattern.
 */
export abstract class RetrainTrigger {
  /** When the pipeline's batch run succeeds. The pipeline must have a batch part. */
  public static onEtlSuccess(pipeline: IEtlPipeline): RetrainTrigger {
    return new (class extends RetrainTrigger {
      public bind(): RetrainTriggerConfig {
        if (!pipeline.stateMachine) {
          throw new Error(`RetrainTrigger.onEtlSuccess: ${pipeline.node.path} has no batch part, so it never succeeds`);
        }
        return {
          kind: 'etl-success',
          description: `Retrain when ${pipeline.node.path} delivers data that passed its quality gate`,
          eventPattern: executionStatusPattern(pipeline.stateMachine, ['SUCCEEDED']),
        };
      }
    })();
  }

  /** When the alarm goes into ALARM (for example a Model Monitor drift alarm). */
  public static onAlarm(alarm: cloudwatch.IAlarm): RetrainTrigger {
    return new (class extends RetrainTrigger {
      public bind(): RetrainTriggerConfig {
        return {
          kind: 'alarm',
          description: `Retrain when alarm ${alarm.node.path} goes into ALARM`,
          eventPattern: {
            source: ['aws.cloudwatch'],
            detailType: ['CloudWatch Alarm State Change'],
            resources: [alarm.alarmArn],
            detail: { state: { value: ['ALARM'] } },
          },
        };
      }
    })();
  }

  /**
   * When the alarm with this name (in this account and region) goes into ALARM. Matching by name
   * adds no reference to the alarm's stack, so an alarm in a stack that already depends on the
   * training stack (MonitoringStack's drift alarm) can start retraining without a dependency cycle.
   */
  public static onAlarmName(alarmName: string): RetrainTrigger {
    return new (class extends RetrainTrigger {
      public bind(): RetrainTriggerConfig {
        return {
          kind: 'alarm',
          description: `Retrain when alarm ${alarmName} goes into ALARM`,
          eventPattern: {
            source: ['aws.cloudwatch'],
            detailType: ['CloudWatch Alarm State Change'],
            detail: { alarmName: [alarmName], state: { value: ['ALARM'] } },
          },
        };
      }
    })();
  }

  /** On any event matching the pattern. */
  public static onEvent(eventPattern: events.EventPattern, description = 'Retrain on a custom event'): RetrainTrigger {
    return new (class extends RetrainTrigger {
      public bind(): RetrainTriggerConfig {
        return { kind: 'event', description, eventPattern };
      }
    })();
  }

  /** Resolves the trigger. */
  public abstract bind(): RetrainTriggerConfig;
}
