#!/usr/bin/env node
/**
 * The Kubernetes (cdktf) app (cdktf is imported only by lib/kubernetes): the in-cluster objects of the EKS training cluster of one
 * environment (dev unless `-c env=staging|prod` or MLOPS_ENV says otherwise), as one Terraform
 * stack. `npm run synth:k8s` writes it to cdktf.out/ without a terraform binary; deploy it with
 * `cdktf deploy` or `terraform -chdir=cdktf.out/stacks/<stack> apply` from inside the VPC (the
 * cluster endpoint is private).
 */
import { EnvironmentName, selectEnvironmentName } from '../lib';
import { KubernetesStack, WorkloadDeclaration, kubernetesApp } from '../lib/kubernetes';
import { ENVIRONMENTS, PROJECT } from './environments';

/** The VPC CIDR TrainingCluster gives the VPC it creates (update it when the cluster runs in your own VPC). */
const TRAINING_VPC_CIDR = '10.80.0.0/16';
/** Region used when an environment pins none in bin/environments.ts. */
const DEFAULT_REGION = 'us-east-1';

/** The in-cluster declaration of each environment: two teams, one served model. */
export function kubernetesDeclaration(env: EnvironmentName): WorkloadDeclaration {
  const large = env === 'prod';
  return {
    project: PROJECT,
    environment: env,
    vpcCidr: TRAINING_VPC_CIDR,
    // No artifactBucket: the stack reads the registry's SSM parameter, so nothing is guessed here.
    teams: [
      { name: 'vision', quota: { cpu: large ? '64' : '16', memory: large ? '512Gi' : '128Gi', gpu: large ? 8 : 2 }, developersGroup: 'vision-developers' },
      { name: 'forecasting', quota: { cpu: '16', memory: '64Gi', gpu: 0 }, developersGroup: 'forecasting-developers' },
    ],
    models: [
      { name: 'churn', team: 'forecasting', modelFormat: 'xgboost', artifact: 'current/', minReplicas: large ? 2 : 1, maxReplicas: large ? 4 : 2 },
    ],
  };
}

/** Builds the Kubernetes app for the environment chosen with `-c env=...` or MLOPS_ENV (dev when absent). */
export function buildKubernetesApp(app: ReturnType<typeof kubernetesApp>): KubernetesStack {
  const env = selectEnvironmentName(app);
  const config = ENVIRONMENTS[env];
  return new KubernetesStack(app, `${PROJECT}-${env}-kubernetes`, {
    declaration: kubernetesDeclaration(env),
    region: config.region ?? DEFAULT_REGION,
    stateBucket: `${PROJECT}-${env}-terraform-state`,
    // The training cluster's subnets have no NAT: every image comes through its ECR pull-through
    // cache, whose registry the cluster publishes to SSM (give TrainingCluster a pullThroughCache).
    imageRegistryFromCluster: true,
  });
}

/** `-c env=prod` / `--context env=prod` on the command line, else MLOPS_ENV. */
function contextFromArgs(argv: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  argv.forEach((arg, i) => {
    if ((arg === '-c' || arg === '--context') && argv[i + 1]?.includes('=')) {
      const [k, ...v] = argv[i + 1].split('=');
      context[k] = v.join('=');
    }
  });
  if (context.env === undefined && process.env.MLOPS_ENV) context.env = process.env.MLOPS_ENV;
  return context;
}

if (require.main === module) {
  const app = kubernetesApp({ outdir: 'cdktf.out', context: contextFromArgs(process.argv.slice(2)) });
  buildKubernetesApp(app);
  app.synth();
}
