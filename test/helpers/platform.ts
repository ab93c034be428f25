import { Stack } from 'aws-cdk-lib';
import { PlatformStage } from '../../lib';

/** The stacks of a platform stage in lifecycle order: data, ML, serving, monitoring, then the opt-in Model Monitor stack. */
export function platformStacks(stage: PlatformStage): Stack[] {
  return [stage.dataStack, ...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks, ...(stage.modelMonitorStack ? [stage.modelMonitorStack] : [])];
}
