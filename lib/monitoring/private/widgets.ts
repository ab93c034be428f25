import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { MONITORING_DEFAULTS } from '../monitoring-stack-props';

/** A full-width markdown heading that starts a dashboard section. */
export function heading(text: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${text}`, width: MONITORING_DEFAULTS.dashboardWidth, height: 1 });
}

/** A graph of up to two axes; three graphs fill a row. */
export function graph(title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = [], width = 8): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
}
