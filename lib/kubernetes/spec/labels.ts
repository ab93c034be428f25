import { WorkloadDeclaration } from './declaration';

/** Label naming the team an object belongs to. */
export const TEAM_LABEL = 'mlops/team';
/** Label naming the environment. */
export const ENVIRONMENT_LABEL = 'mlops/environment';

/** Labels every object of the spec carries. */
export function commonLabels(decl: WorkloadDeclaration, team?: string): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'mlops-cdk',
    'app.kubernetes.io/part-of': decl.project,
    [ENVIRONMENT_LABEL]: decl.environment,
    ...(team ? { [TEAM_LABEL]: team } : {}),
  };
}
