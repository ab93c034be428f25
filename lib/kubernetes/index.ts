/**
 * The Kubernetes layer, published as the `@mlops-cdk/constructs/kubernetes` subpath.
 *
 * It will hold the engine-neutral workload spec and its renderers, and it is the only place in
 * the library that may import cdktf and its providers. Keeping it out of the package root means
 * that an app which never imports this subpath never loads cdktf, and need not install it (the
 * cdktf packages become optional peer dependencies when the layer lands).
 *
 * This release exports nothing from it yet: the subpath is reserved so that its import path is
 * stable from the first release.
 *
 * @module kubernetes
 */
export {};
