/**
 * The schedule expressions SageMaker Model Monitor accepts (ScheduleConfig.ScheduleExpression), which
 * are far fewer than EventBridge's: hourly `cron(0 * ? * * *)`, daily at an hour `cron(0 H ? * * *)`,
 * or every N hours from an hour `cron(0 H/N ? * * *)` (H 0-23, N 1-24). `NOW` (one immediate run)
 * is not a standing schedule and is refused here.
 */

/** Every form accepted, for error messages. */
export const SCHEDULE_FORMS = 'cron(0 * ? * * *) (hourly), cron(0 H ? * * *) (daily at hour H, 0-23) or cron(0 H/N ? * * *) (every N hours from hour H, N 1-24)';

const HOURLY = /^cron\(0 \* \? \* \* \*\)$/;
const AT_HOUR = /^cron\(0 (\d{1,2})(?:\/(\d{1,2}))? \? \* \* \*\)$/;

/** The result of parsing a Model Monitor schedule expression. */
export interface ParsedSchedule {
  /** Hours between runs (1 for hourly, 24 for daily), when the expression is accepted. */
  readonly intervalHours?: number;
  /** Why the expression is refused, when it is. */
  readonly problem?: string;
}

/** Parses a Model Monitor schedule expression into its interval, or explains why it is refused. */
export function parseMonitorSchedule(expression: string): ParsedSchedule {
  if (HOURLY.test(expression)) return { intervalHours: 1 };
  if (expression === 'NOW') return { problem: `is a one-time run, not a schedule; must be one of ${SCHEDULE_FORMS}` };
  const m = AT_HOUR.exec(expression);
  if (!m) return { problem: `is not a schedule Model Monitor accepts; must be one of ${SCHEDULE_FORMS}` };
  const hour = Number(m[1]);
  if (hour > 23) return { problem: `starts at hour ${hour}; the hour must be 0-23 (${SCHEDULE_FORMS})` };
  if (m[2] === undefined) return { intervalHours: 24 };
  const every = Number(m[2]);
  if (every < 1 || every > 24) return { problem: `repeats every ${every} hours; the interval must be 1-24 hours (${SCHEDULE_FORMS})` };
  return { intervalHours: every };
}
