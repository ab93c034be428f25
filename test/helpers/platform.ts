import { Stack } from 'aws-cdk-lib';
import { PlatformStage } from '../../lib';

/** The stacks of a platform stage in lifecycle order: foundation (when it owns the account-wide settings), data, ML, serving, monitoring. */
export function platformStacks(stage: PlatformStage): Stack[] {
  return [...(stage.foundationStack ? [stage.foundationStack] : []), stage.dataStack, ...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks];
}
