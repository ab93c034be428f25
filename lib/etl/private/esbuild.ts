/**
 * Why a streaming transformation cannot be bundled here, or undefined when it can. aws-cdk-lib's
 * NodejsFunction bundles with a locally installed esbuild and otherwise falls back to Docker
 * (aws-cdk-lib `aws-lambda-nodejs` README, "Local bundling"), which this library never uses: without
 * esbuild, synth would fail later with a Docker error that names neither the prop nor the fix.
 */
export function esbuildProblem(resolve: (id: string, options?: { paths?: string[] }) => string = require.resolve): string | undefined {
  for (const paths of [[process.cwd()], undefined]) {
    try {
      resolve('esbuild', paths ? { paths } : undefined);
      return undefined;
    } catch {
      // try the next location
    }
  }
  return 'needs esbuild to bundle the function without Docker: add it to your app (npm install --save-dev esbuild)';
}
