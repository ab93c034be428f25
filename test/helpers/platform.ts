import { Stack } from 'aws-cdk-lib';
import { PlatformStage } from '../../lib';

/** The stacks of a platform stage in lifecycle order: foundation (when it owns the account-wide settings), data, ML, serving, monitoring, then the opt-in Model Monitor stack. */
export function platformStacks(stage: PlatformStage): Stack[] {
  return [
    ...(stage.foundationStack ? [stage.foundationStack] : []), stage.dataStack, ...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks,
    ...(stage.modelMonitorStack ? [stage.modelMonitorStack] : []),
  ];
}
