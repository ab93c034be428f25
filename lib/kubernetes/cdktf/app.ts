import { App } from 'cdktf';

/** Options of {@link kubernetesApp}. */
export interface KubernetesAppOptions {
  /**
   * Where `synth()` writes the Terraform JSON.
   * @default cdktf.out
   */
  readonly outdir?: string;
  /**
   * Context values, for example `{ env: 'prod' }` to select the environment.
   * @default none
   */
  readonly context?: Record<string, string>;
}

/**
 * A cdktf App to hold {@link KubernetesStack}s, so that apps (and `bin/`) need not import cdktf
 * themselves: every cdktf import stays in this layer. Call `synth()` on it to write the stacks;
 * no terraform binary is needed for that.
 */
export function kubernetesApp(options: KubernetesAppOptions = {}): App {
  return new App({ outdir: options.outdir ?? 'cdktf.out', context: options.context });
}
