import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The kubectl layer package the cluster engine loads by default: an optional peer dependency of
 * this library (its tarball is about 36 MB, so consumers opt in by installing it). It exports
 * `KubectlV35Layer`, a `lambda.LayerVersion` with `/opt/kubectl/kubectl` 1.35 and `/opt/helm/helm`
 * whose zip ships in the package, so synth stays offline. aws-eks-v2 takes it as
 * `kubectlProviderOptions.kubectlLayer` ("An AWS Lambda layer that includes `kubectl` and `helm`",
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_eks_v2.KubectlProviderOptions.html).
 */
export const DEFAULT_KUBECTL_LAYER = {
  packageName: '@aws-cdk/lambda-layer-kubectl-v35',
  versionRange: '^2.2.2',
  exportName: 'KubectlV35Layer',
  kubernetesVersion: eks.KubernetesVersion.V1_35.version,
} as const;

/** The name of the kubectl layer package for a Kubernetes version, for example `@aws-cdk/lambda-layer-kubectl-v34` for 1.34. */
export function kubectlLayerPackage(kubernetesVersion: string): string {
  return `@aws-cdk/lambda-layer-kubectl-v${kubernetesVersion.replace(/^1\./, '')}`;
}

/**
 * How the engine loads the optional package: `require` at synth. An object so that tests can
 * replace `load` (for example to simulate a consumer that has not installed the package).
 * @internal
 */
export const kubectlLayerLoader = {
  load(packageName: string): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(packageName);
  },
};

/** True when `error` says that `packageName` itself is not installed (not one of its own imports). */
function isNotInstalled(error: unknown, packageName: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`'${packageName}'`);
}

/**
 * Creates the default kubectl layer (`DEFAULT_KUBECTL_LAYER`) under `scope`, or returns undefined
 * when the package is not installed. Any other failure to load it (a broken install, a missing
 * dependency of the package, a package without the expected class) is thrown: it is not the
 * "not installed" case and must not silently drop the kubectl provider.
 */
export function createDefaultKubectlLayer(scope: Construct, id: string): lambda.ILayerVersion | undefined {
  const { packageName, exportName, versionRange } = DEFAULT_KUBECTL_LAYER;
  let loaded: unknown;
  try {
    loaded = kubectlLayerLoader.load(packageName);
  } catch (error) {
    if (isNotInstalled(error, packageName)) return undefined;
    throw error;
  }
  const Layer = (loaded as Record<string, unknown> | undefined)?.[exportName];
  if (typeof Layer !== 'function') {
    throw new Error(`${packageName} does not export ${exportName}: install ${packageName}@${versionRange}`);
  }
  return new (Layer as new (scope: Construct, id: string) => lambda.ILayerVersion)(scope, id);
}
