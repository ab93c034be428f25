import { Stack } from 'aws-cdk-lib';
import { PlatformStage } from '../../lib';

/** The stacks of a platform stage in lifecycle order: data, ML, serving, monitoring. */
export function platformStacks(stage: PlatformStage): Stack[] {
  return [stage.dataStack, ...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks];
}
