/**
 * The Kubernetes layer, published as the `@mlops-cdk/constructs/kubernetes` subpath.
 *
 * An engine-neutral workload spec (plain manifests produced by pure functions from a
 * {@link WorkloadDeclaration}) and two renderers of it: {@link KubernetesStack}, a cdktf stack
 * with the kubernetes provider, and {@link addWorkloadManifests}, `addManifest` calls on an
 * aws-eks-v2 cluster. This is the only place in the library that imports cdktf and its
 * providers, which are optional peer dependencies: an app that never imports this subpath
 * never loads them and need not install them.
 *
 * @module kubernetes
 */
export * from './spec';
export * from './cdktf';
export * from './eks/add-manifests';
export * from './eks/operators';
export * from './eks/operator-images';
export * from './eks/pull-through-cache';
