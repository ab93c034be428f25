/** Stack names of one environment; group `k` (0-based) of models has its own ML and serving stack past the first. */
export interface StackNames {
  readonly data: string;
  ml(group: number): string;
  serving(group: number): string;
  monitoring(group: number): string;
  /** The opt-in Model Monitor stack. */
  readonly modelMonitor: string;
}

/**
 * The stack names of an environment. They are part of the contract: promotion workflows in other
 * environments update serving stacks by name, and renaming a stack replaces everything in it.
 */
export function stackNames(project: string, environment: string): StackNames {
  const base = `${project}-${environment}`;
  const grouped = (kind: string) => (group: number) => (group === 0 ? `${base}-${kind}` : `${base}-${kind}-${group + 1}`);
  return { data: `${base}-data`, ml: grouped('ml'), serving: grouped('serving'), monitoring: grouped('monitoring'), modelMonitor: `${base}-model-monitor` };
}

/** The PascalCase construct ID of a model name (`churn-v2` -> `ChurnV2`). */
export function modelConstructId(model: string): string {
  return model.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
