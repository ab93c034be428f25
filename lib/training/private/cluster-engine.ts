import { Annotations, CfnResource, RemovalPolicy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { SERVICE_KEY_ACTIONS, createKey, createLogGroup } from '../../core/encryption';
import { Platform } from '../../core/environment';
import { Validator } from '../../core/errors';
import { grantWithKey } from '../../core/grants';
import { acknowledgeThirdPartyIam, acknowledgeWildcardResources, nagResourceName } from '../../core/nag';
import { dashedName } from '../../core/naming';
import type { IEcrPullThroughCache } from '../../core/pull-through';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import {
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, CLUSTER_DEFAULTS, ClusterEngineOptions, ClusterParameterNames, GPU_NODE_LABEL, GPU_NODE_TAINT, GpuNodeGroupOptions, NODE_POOL_LABEL,
  TeamOptions, clusterParameterNames, defaultGpuNodeGroups, defaultTeamArtifactPrefix, teamNamespace, teamServiceAccount,
} from '../cluster-options';
import * as perms from '../perms';
import { DEFAULT_KUBECTL_LAYER, createDefaultKubectlLayer, kubectlLayerPackage } from './kubectl-layer';
import { clusterSubnetSelection, validateClusterOptions } from './validate-cluster';

/**
 * Interface endpoints the cluster engine adds to a VPC that TrainingCluster owns, beyond the S3
 * gateway, ECR, STS and CloudWatch Logs endpoints that every training VPC has: EC2 (the VPC CNI
 * manages pod ENIs), EKS (the cluster autoscaler reads node group labels and taints to scale from
 * zero), EKS Auth (the Pod Identity agent exchanges tokens), Auto Scaling (the cluster
 * autoscaler resizes node groups) and SSM (the Kubernetes layer's Terraform runner, inside the
 * VPC, reads the cluster's connection values from Parameter Store).
 */
export const CLUSTER_INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['Ec2', ec2.InterfaceVpcEndpointAwsService.EC2],
  ['Eks', ec2.InterfaceVpcEndpointAwsService.EKS],
  ['EksAuth', ec2.InterfaceVpcEndpointAwsService.EKS_AUTH],
  ['AutoScaling', ec2.InterfaceVpcEndpointAwsService.AUTOSCALING],
  ['Ssm', ec2.InterfaceVpcEndpointAwsService.SSM],
];

/**
 * Warning ID when the cluster has no kubectl provider although it was not turned off
 * (`kubectlProvider: false`): no `kubectlLayer` was given and the default layer package is not
 * installed or not of the cluster's Kubernetes minor. `kubectlProvider: false` chooses the
 * Terraform path without the warning.
 */
export const NO_KUBECTL_PROVIDER_WARNING = 'mlops:noKubectlProvider';

/** Every control-plane log type: EKS2 of cdk-nag and audits need them all. */
const CONTROL_PLANE_LOGS = [
  eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER, eks.ClusterLoggingTypes.SCHEDULER,
];

/** The AWS-managed policies EKS documents for worker node roles (ECR pull-only rather than read-only). */
const NODE_MANAGED_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly'];

/** Props of {@link ClusterEngine}. */
export interface ClusterEngineProps {
  /** The lakehouse whose zones teams read and write. */
  readonly lakehouse: IDataLakehouse;
  /** The registry's artifact bucket; teams read and write their prefixes of it. */
  readonly artifactBucket: s3.IBucket;
  /** The key that encrypts the artifact bucket. */
  readonly artifactKey: kms.IKey;
  /** The VPC: private isolated subnets (no NAT) or, for a given VPC, private subnets with egress. */
  readonly vpc: ec2.IVpc;
  /** True when TrainingCluster created the VPC: the engine then adds {@link CLUSTER_INTERFACE_ENDPOINTS}. */
  readonly vpcIsOwned: boolean;
  /** Removal policy (after the guard) for the cluster key and the control-plane log group. */
  readonly removalPolicy: RemovalPolicy;
  /** The engine's options. */
  readonly options: ClusterEngineOptions;
}

/**
 * The cluster engine of TrainingCluster: a private EKS cluster (aws-eks-v2) with every
 * control-plane log type, KMS envelope encryption of secrets, a system node group, GPU node
 * groups that scale to zero, the Pod Identity agent, and one Pod Identity role per team. It
 * publishes what the Kubernetes layer needs to SSM parameters named by {@link clusterParameterNames}.
 *
 * By default it gets a kubectl provider in the deployer security group, so the Kubernetes layer
 * (operators and workloads) is applied in the same deploy: with the given `kubectlLayer`, else, for
 * Kubernetes 1.35, the layer of the optional package `@aws-cdk/lambda-layer-kubectl-v35` when it is
 * installed. Without a layer it warns ({@link NO_KUBECTL_PROVIDER_WARNING}, naming the package to
 * install); `kubectlProvider: false` chooses the Terraform path, which applies the layer from inside the VPC.
 */
export class ClusterEngine extends Construct {
  /** The EKS cluster. */
  public readonly cluster: eks.Cluster;
  /** The key that encrypts Kubernetes secrets, control-plane logs and node root volumes. */
  public readonly encryptionKey: kms.IKey;
  /** The control-plane log group, `/aws/eks/<cluster name>/cluster`. */
  public readonly controlPlaneLogGroup: logs.ILogGroup;
  /** The role of every node (the kubelet pulls images with it). */
  public readonly nodeRole: iam.IRole;
  /** The pull-through cache the node role and the kubectl provider's role may pull through, when given. */
  public readonly pullThroughCache?: IEcrPullThroughCache;
  /** The system node group. */
  public readonly systemNodegroup: eks.Nodegroup;
  /** GPU node groups by pool name. */
  public readonly gpuNodegroups: Readonly<Record<string, eks.Nodegroup>>;
  /** Pod Identity roles by team name. */
  public readonly teamRoles: Readonly<Record<string, iam.IRole>>;
  /** Pod Identity role of the cluster autoscaler (service account {@link CLUSTER_AUTOSCALER_SERVICE_ACCOUNT}). */
  public readonly autoscalerRole: iam.IRole;
  /** The cluster name (fixed, known at synth). */
  public readonly clusterName: string;
  /** Names of the SSM parameters this engine publishes. */
  public readonly parameterNames: ClusterParameterNames;
  /** Interface endpoints this engine added to the VPC (service short names; empty for a given VPC). */
  public readonly addedEndpoints: readonly string[];
  /**
   * The security group a deployer of the Kubernetes layer inside the VPC (a Terraform runner, a
   * CodeBuild project) attaches: the control plane admits it on 443, and it may send HTTPS only.
   * Its ID is published under {@link ClusterParameterNames.deployerSecurityGroupId}.
   */
  public readonly deployerSecurityGroup: ec2.SecurityGroup;

  private readonly props: ClusterEngineProps;
  private readonly subnets: ec2.SubnetSelection;
  private readonly endpoints: ec2.InterfaceVpcEndpoint[];

  constructor(scope: Construct, id: string, props: ClusterEngineProps) {
    super(scope, id);
    const o = props.options;
    const v = new Validator(this);
    validateClusterOptions(v, o, 'cluster', { lakehouse: props.lakehouse, vpc: props.vpc });
    v.check(!(o.kubectlProvider === false && o.kubectlLayer), 'cluster.kubectlProvider', o.kubectlProvider,
      'must not be false with a kubectlLayer: the layer is for the kubectl provider; drop one of them');
    v.throwIfAny();

    this.props = props;
    const stack = Stack.of(this);
    const settings = Platform.of(this);
    this.subnets = clusterSubnetSelection(props.vpc)!;
    const clusterName = o.clusterName ?? dashedName(this, 100, CLUSTER_DEFAULTS.clusterNameSuffix);
    this.clusterName = clusterName;

    const key = createKey(this, 'Key', {
      description: `EKS cluster ${clusterName}: Kubernetes secrets, control-plane logs and node volumes`,
      removalPolicy: props.removalPolicy,
    });
    allowEc2Volumes(key, stack);
    this.encryptionKey = key;
    // Created before the cluster so that EKS writes to it: encrypted, with the profile's retention, retained like the key.
    const logGroup = createLogGroup(this, 'ControlPlaneLogs', {
      key, removalPolicy: props.removalPolicy, logGroupName: `/aws/eks/${clusterName}/cluster`,
    });
    this.controlPlaneLogGroup = logGroup;

    // An explicit layer wins; else, for the minor of the default package, its layer when it is installed.
    const wantsProvider = o.kubectlProvider ?? CLUSTER_DEFAULTS.kubectlProvider;
    const kubernetesVersion = o.kubernetesVersion ?? CLUSTER_DEFAULTS.kubernetesVersion;
    const version = kubernetesVersion.version;
    const kubectlLayer = !wantsProvider ? undefined : o.kubectlLayer
      ?? (version === DEFAULT_KUBECTL_LAYER.kubernetesVersion ? createDefaultKubectlLayer(this, 'KubectlLayer') : undefined);
    // Created before the cluster: the kubectl provider runs in it; the control plane admits it below.
    const deployer = new ec2.SecurityGroup(this, 'DeployerSecurityGroup', {
      vpc: props.vpc,
      description: `Deployers of the Kubernetes layer to EKS cluster ${clusterName}: HTTPS to its private API endpoint and the VPC endpoints`,
      allowAllOutbound: false,
    });
    this.cluster = new eks.Cluster(this, 'Cluster', {
      clusterName,
      version: kubernetesVersion,
      vpc: props.vpc,
      vpcSubnets: [this.subnets],
      endpointAccess: eks.EndpointAccess.PRIVATE,
      clusterLogging: CONTROL_PLANE_LOGS,
      secretsEncryptionKey: key,
      // Managed node groups below, not EKS Auto Mode and no default capacity.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      outputConfigCommand: false,
      // A Lambda in the private subnets, in the deployer security group (admitted by the control
      // plane on 443), that applies manifests and charts in the same deploy.
      kubectlProviderOptions: kubectlLayer
        ? { kubectlLayer, privateSubnets: props.vpc.selectSubnets(this.subnets).subnets, securityGroups: [deployer] }
        : undefined,
    });
    if (wantsProvider && !kubectlLayer) {
      const install = version === DEFAULT_KUBECTL_LAYER.kubernetesVersion
        ? `npm install ${DEFAULT_KUBECTL_LAYER.packageName}@${DEFAULT_KUBECTL_LAYER.versionRange} (an optional peer dependency: the cluster then gets its layer by default)`
        : `the package ${kubectlLayerPackage(version)} (kubectl of the cluster's Kubernetes minor ${version}) and pass its layer as kubectlLayer`;
      Annotations.of(this).addWarningV2(NO_KUBECTL_PROVIDER_WARNING,
        `No kubectlLayer: the cluster has no kubectl provider, so nothing in this cdk deploy can install the operators or apply the Kubernetes layer (the API endpoint is private). Either install ${install}, or apply the layer with Terraform from inside the VPC (attach deployerSecurityGroup) and set kubectlProvider: false (this warning is ${NO_KUBECTL_PROVIDER_WARNING}).`);
    }
    if (this.cluster.kubectlProvider) {
      const reason = 'The kubectl provider is built by aws-eks-v2 (handler and provider-framework Lambdas with their roles and runtime); its managed policies and its invoke permission on the handler\'s versions are what that construct requires.';
      acknowledgeThirdPartyIam(this.cluster.kubectlProvider, reason);
      Validations.of(this.cluster.kubectlProvider).acknowledge({ id: 'AwsSolutions::AwsSolutions-L1', reason });
    }
    const cfnCluster = this.cluster.node.defaultChild as eks.CfnCluster;
    cfnCluster.deletionProtection = o.deletionProtection ?? settings.profile.deletionProtection;
    cfnCluster.addResourceDependency(logGroup.node.defaultChild as CfnResource);
    Validations.of(cfnCluster).acknowledge({
      id: 'CloudFormation-Validate::W9009',
      reason: 'EncryptionConfig.Resources ["secrets"] is what the EKS API documents to encrypt Kubernetes secrets with the cluster key; the schema only marks it deprecated.',
    });
    const endpoints = props.vpcIsOwned ? this.addEndpoints() : undefined;
    this.endpoints = endpoints ? endpoints.node.children.filter((c): c is ec2.InterfaceVpcEndpoint => c instanceof ec2.InterfaceVpcEndpoint) : [];
    this.addedEndpoints = endpoints ? CLUSTER_INTERFACE_ENDPOINTS.map(([, s]) => s.shortName) : [];
    this.acknowledgeClusterFindings(props.vpcIsOwned);

    this.nodeRole = this.createNodeRole();
    this.pullThroughCache = o.pullThroughCache;
    if (o.pullThroughCache) this.grantPullThrough(o.pullThroughCache);
    this.systemNodegroup = this.addSystemNodes(o);
    const gpu: Record<string, eks.Nodegroup> = {};
    const gpuScope = new Construct(this, 'GpuNodes');
    for (const g of o.gpuNodeGroups ?? defaultGpuNodeGroups()) gpu[g.name] = this.addGpuNodes(gpuScope, g);
    this.gpuNodegroups = gpu;
    // Nodes need the EC2 and EKS Auth endpoints as soon as they boot.
    if (endpoints) for (const group of [this.systemNodegroup, ...Object.values(gpu)]) group.node.addDependency(endpoints);

    // The agent runs as a DaemonSet: create it once nodes can run it.
    const agent = this.cluster.eksPodIdentityAgent!;
    agent.node.addDependency(this.systemNodegroup);
    this.addNetworkPolicyEnforcement();

    this.parameterNames = clusterParameterNames(settings.project, settings.profile.name);
    const names = this.parameterNames;
    this.publish('ClusterNameParameter', names.clusterName, this.cluster.clusterName, 'EKS training cluster name');
    this.publish('ClusterArnParameter', names.clusterArn, this.cluster.clusterArn, 'EKS training cluster ARN');
    this.publish('EndpointParameter', names.endpoint, this.cluster.clusterEndpoint, 'EKS training cluster private API endpoint');
    this.publish('CertificateAuthorityParameter', names.certificateAuthority, this.cluster.clusterCertificateAuthorityData,
      'EKS training cluster CA certificate (base64)');
    this.deployerSecurityGroup = this.addDeployerAccess(deployer);
    this.publish('ClusterSecurityGroupParameter', names.clusterSecurityGroupId, this.cluster.clusterSecurityGroupId,
      'Security group EKS created for the training cluster (control plane, nodes, pods)');
    this.publish('DeployerSecurityGroupParameter', names.deployerSecurityGroupId, this.deployerSecurityGroup.securityGroupId,
      'Security group that reaches the training cluster\'s private API endpoint (attach it to the Kubernetes layer\'s runner)');
    if (o.pullThroughCache) {
      this.publish('ImageRegistryParameter', names.imageRegistry, o.pullThroughCache.registry,
        'Private ECR registry whose pull-through cache the training cluster pulls public images through');
    }

    const roles: Record<string, iam.IRole> = {};
    const teamsScope = new Construct(this, 'Teams');
    for (const t of o.teams ?? []) roles[t.name] = this.addTeam(new Construct(teamsScope, t.name), t, agent);
    this.teamRoles = roles;
    this.autoscalerRole = this.addAutoscaler(agent, [this.systemNodegroup, ...Object.values(gpu)]);

    for (const [i, role] of (o.admins ?? []).entries()) {
      // EKS refuses an access entry for a principal that does not exist; synth cannot check an imported one.
      if (!Resource.isOwnedResource(role)) {
        Annotations.of(this).addWarningV2('mlops:importedClusterAdmin',
          `admins[${i}] (${Token.isUnresolved(role.roleArn) ? role.node.path : role.roleArn}) is imported: it must exist before this stack deploys, or the EKS access entry fails ("An access entry includes the ARN of one, and only one, existing IAM principal"). Create it in the app (new iam.Role) where you can.`);
      }
      this.cluster.grantClusterAdmin(`Admin${i}`, role.roleArn);
    }
  }

  /**
   * The VPC CNI as an EKS add-on with network-policy enforcement on: without it, the Kubernetes
   * layer's NetworkPolicies are accepted and ignored. "Update the managed vpc-cni add-on ... and
   * set enableNetworkPolicy to true in its configuration values" (Amazon EKS User Guide,
   * "Restrict Pod network traffic with Kubernetes network policies"). EKS installs a self-managed
   * VPC CNI when it creates the cluster, so the managed add-on takes it over (ResolveConflicts
   * OVERWRITE). The CNI uses the node role's AmazonEKS_CNI_Policy.
   */
  private addNetworkPolicyEnforcement(): eks.Addon {
    const cni = new eks.Addon(this, 'VpcCni', {
      cluster: this.cluster,
      addonName: 'vpc-cni',
      configurationValues: { enableNetworkPolicy: 'true' },
    });
    (cni.node.defaultChild as eks.CfnAddon).resolveConflicts = 'OVERWRITE';
    cni.node.addDependency(this.systemNodegroup);
    return cni;
  }

  /**
   * The private API endpoint is reachable only from inside the VPC, and only by what its
   * security groups admit: the EKS-created cluster security group (nodes, pods, the kubectl
   * provider, which aws-eks-v2 places in that group) and the control-plane security group, which
   * has no ingress by default. This adds a deployer security group that the control-plane group
   * admits on 443, so a Terraform runner in the VPC can apply the Kubernetes layer without
   * joining the cluster security group (which would open the nodes to it).
   */
  private addDeployerAccess(deployer: ec2.SecurityGroup): ec2.SecurityGroup {
    const controlPlane = this.cluster.node.findChild('ControlPlaneSecurityGroup') as ec2.SecurityGroup;
    for (const endpoint of this.endpoints) endpoint.connections.allowDefaultPortFrom(deployer, 'HTTPS from the Kubernetes layer deployers');
    controlPlane.addIngressRule(deployer, ec2.Port.tcp(443), 'Kubernetes API from the Kubernetes layer deployers');
    deployer.addEgressRule(controlPlane, ec2.Port.tcp(443), 'Kubernetes API of the training cluster');
    // STS, SSM, EKS and S3 (the Terraform state) are endpoints: interface ones in the VPC, the S3 gateway at public addresses.
    deployer.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the VPC endpoints (interface and S3 gateway)');
    return deployer;
  }

  /**
   * The endpoints only the cluster needs, reachable only from the cluster security group (nodes,
   * pods and control plane). They live in this construct, not under the VPC: the cluster depends
   * on the whole VPC, and these refer to the cluster's security group.
   */
  private addEndpoints(): Construct {
    const scope = new Construct(this, 'Endpoints');
    for (const [name, service] of CLUSTER_INTERFACE_ENDPOINTS) {
      const endpoint = new ec2.InterfaceVpcEndpoint(scope, name, {
        vpc: this.props.vpc, service, privateDnsEnabled: true, subnets: this.subnets, open: false,
      });
      endpoint.connections.allowDefaultPortFrom(this.cluster.clusterSecurityGroup, 'HTTPS from the EKS training cluster');
    }
    return scope;
  }

  private acknowledgeClusterFindings(endpointsAdded: boolean): void {
    const isolated = '@aws-cdk/aws-eks:isolatedSubnetsForKubectlPrivateSubnets';
    if (endpointsAdded) {
      Annotations.of(this.cluster).acknowledgeWarning(isolated,
        `The training VPC has the S3, ECR, STS, Logs, ${CLUSTER_INTERFACE_ENDPOINTS.map(([n]) => n).join(', ')} endpoints that nodes need without a NAT gateway.`);
    } else if (this.props.vpc.isolatedSubnets.length > 0) {
      Annotations.of(this).addWarningV2('mlops:clusterEndpoints',
        `The cluster runs in isolated subnets of a VPC it does not own: make sure the VPC has the S3 gateway endpoint and the ecr.api, ecr.dkr, sts, logs, ${CLUSTER_INTERFACE_ENDPOINTS.map(([, s]) => s.shortName).join(', ')} interface endpoints.`);
      Annotations.of(this.cluster).acknowledgeWarning(isolated, 'Replaced by mlops:clusterEndpoints, which names every endpoint the nodes need.');
    }
    acknowledgeManagedPolicies(this.cluster.role, ['AmazonEKSClusterPolicy'],
      'AmazonEKSClusterPolicy is the policy EKS documents for the cluster IAM role; AWS maintains it with the service.');
  }

  /**
   * Lets the kubelet (node role) and Helm in the kubectl provider (its role, which aws-eks-v2
   * gives AmazonEC2ContainerRegistryReadOnly for charts in ECR) make the first pull of an image or
   * chart through the cache's rules, which imports it and creates its repository.
   */
  private grantPullThrough(cache: IEcrPullThroughCache): void {
    const grantees = [this.nodeRole, ...(this.cluster.kubectlProvider?.role ? [this.cluster.kubectlProvider.role] : [])];
    for (const grantee of grantees) {
      const grant = cache.grantPullThrough(grantee);
      acknowledgeWildcardResources(grantee, grant.principalStatements.flatMap((st) => st.resources),
        'A pull-through cache rule creates one repository per upstream repository under its prefix, on first pull: the grant covers the rules\' prefixes only.');
    }
  }

  private createNodeRole(): iam.Role {
    const role = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Worker nodes of EKS cluster ${this.cluster.clusterName}`,
      managedPolicies: NODE_MANAGED_POLICIES.map((p) => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
    });
    acknowledgeManagedPolicies(role, NODE_MANAGED_POLICIES,
      'These AWS-managed policies are what EKS documents for node roles (joining the cluster, pod networking, pulling images); pods get their own Pod Identity roles and cannot reach node credentials (IMDS hop limit 1).');
    return role;
  }

  /**
   * A launch template per node group: IMDSv2 only with a hop limit of 1 (pods cannot reach the
   * node role's credentials) and an encrypted gp3 root volume.
   */
  private launchTemplate(scope: Construct, diskSize: number): eks.LaunchTemplateSpec {
    const template = new ec2.LaunchTemplate(scope, 'LaunchTemplate', {
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(diskSize, {
          volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, kmsKey: this.encryptionKey, deleteOnTermination: true,
        }),
      }],
    });
    return { id: template.launchTemplateId!, version: template.latestVersionNumber };
  }

  private addSystemNodes(o: ClusterEngineOptions): eks.Nodegroup {
    const s = o.systemNodes ?? {};
    const scope = new Construct(this, 'SystemNodes');
    const minSize = s.minSize ?? CLUSTER_DEFAULTS.systemMinSize;
    return new eks.Nodegroup(scope, 'Resource', {
      cluster: this.cluster,
      nodeRole: this.nodeRole,
      subnets: this.subnets,
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      instanceTypes: [s.instanceType ?? new ec2.InstanceType(CLUSTER_DEFAULTS.systemInstanceType)],
      capacityType: eks.CapacityType.ON_DEMAND,
      minSize,
      maxSize: s.maxSize ?? CLUSTER_DEFAULTS.systemMaxSize,
      desiredSize: s.desiredSize ?? minSize,
      labels: { [NODE_POOL_LABEL]: 'system' },
      launchTemplateSpec: this.launchTemplate(scope, s.diskSize ?? CLUSTER_DEFAULTS.systemDiskSize),
    });
  }

  private addGpuNodes(parent: Construct, g: GpuNodeGroupOptions): eks.Nodegroup {
    const scope = new Construct(parent, g.name);
    const minSize = g.minSize ?? CLUSTER_DEFAULTS.gpuMinSize;
    const group = new eks.Nodegroup(scope, 'Resource', {
      cluster: this.cluster,
      nodeRole: this.nodeRole,
      subnets: this.subnets,
      amiType: eks.NodegroupAmiType.AL2023_X86_64_NVIDIA,
      capacityType: g.capacityType ?? CLUSTER_DEFAULTS.gpuCapacityType,
      minSize,
      maxSize: g.maxSize,
      desiredSize: g.desiredSize ?? minSize,
      labels: { [NODE_POOL_LABEL]: g.name, [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
      taints: [{ key: GPU_NODE_TAINT.key, value: GPU_NODE_TAINT.value, effect: eks.TaintEffect.NO_SCHEDULE }],
      launchTemplateSpec: this.launchTemplate(scope, g.diskSize ?? CLUSTER_DEFAULTS.gpuDiskSize),
    });
    // Set on the L1: aws-eks-v2's own GPU detection does not know every validated family (p5) and
    // would reject the NVIDIA AMI type for it. validateClusterOptions has checked the types.
    (group.node.defaultChild as eks.CfnNodegroup).instanceTypes = g.instanceTypes.map((t) => t.toString());
    return group;
  }

  private addTeam(scope: Construct, t: TeamOptions, agent: Construct): iam.IRole {
    const role = this.podIdentityRole(scope, teamNamespace(t.name), teamServiceAccount(t.name), agent, `team ${t.name}`);
    const write = new Set(t.writeZones ?? []);
    for (const zone of write) this.props.lakehouse.grantWrite(role, zone);
    for (const zone of new Set(t.readZones ?? [])) if (!write.has(zone)) this.props.lakehouse.grantRead(role, zone);
    this.grantArtifacts(role, t.artifactPrefixes ?? [defaultTeamArtifactPrefix(t.name)], t.name);
    this.publish('RoleArnParameter', this.parameterNames.teamRoleArn(t.name), role.roleArn,
      `Pod Identity role of team ${t.name} on the EKS training cluster`, scope);
    return role;
  }

  /**
   * The cluster autoscaler's role: it reads node groups (labels and taints, to scale from zero)
   * and resizes only the Auto Scaling groups EKS tagged as owned by this cluster.
   */
  private addAutoscaler(agent: Construct, groups: readonly eks.Nodegroup[]): iam.Role {
    const sa = CLUSTER_AUTOSCALER_SERVICE_ACCOUNT;
    const role = this.podIdentityRole(new Construct(this, 'ClusterAutoscaler'), sa.namespace, sa.name, agent, 'the cluster autoscaler');
    grantWithKey(role, { actions: perms.AUTOSCALER_DESCRIBE, resourceArns: ['*'] });
    grantWithKey(role, { actions: ['eks:DescribeNodegroup'], resourceArns: groups.map((g) => g.nodegroupArn) });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: perms.AUTOSCALER_SCALE,
      resourceArns: ['*'],
      conditions: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${this.clusterName}`]: 'owned' } },
    });
    acknowledgeWildcardResources(role, ['*'],
      'Auto Scaling and EC2 describe actions support no resource-level permissions; resizing is limited by tag to the groups EKS marks as owned by this cluster.');
    return role;
  }

  /** A role only EKS Pod Identity on this cluster may assume, for one service account, and its association. */
  private podIdentityRole(scope: Construct, namespace: string, serviceAccount: string, agent: Construct, who: string): iam.Role {
    const clusterArn = Stack.of(this).formatArn({ service: 'eks', resource: 'cluster', resourceName: this.clusterName });
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions({
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': clusterArn,
          'aws:RequestTag/kubernetes-namespace': namespace,
          'aws:RequestTag/kubernetes-service-account': serviceAccount,
        },
      })),
      description: `Pod Identity role of ${who} (${namespace}/${serviceAccount}) on EKS cluster ${this.clusterName}`,
    });
    const association = new eks.CfnPodIdentityAssociation(scope, 'PodIdentity', {
      clusterName: this.cluster.clusterName,
      namespace,
      serviceAccount,
      roleArn: role.roleArn,
    });
    association.node.addDependency(agent);
    return role;
  }

  /** Read and write on the team's artifact prefixes, listing only under them, with the artifact key. */
  private grantArtifacts(role: iam.Role, prefixes: readonly string[], team: string): void {
    const bucket = this.props.artifactBucket;
    const objects = prefixes.map((p) => bucket.arnForObjects(`${p}*`));
    grantWithKey(role, { actions: perms.ARTIFACT_RW, resourceArns: objects, key: this.props.artifactKey, keyActions: perms.TEAM_ARTIFACT_KEY });
    grantWithKey(role, { actions: ['s3:GetBucketLocation'], resourceArns: [bucket.bucketArn] });
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, `${p}*`]) } },
    });
    acknowledgeWildcardResources(role, objects,
      `Team ${team} reads and writes any object under its own artifact prefixes (checkpoints, models, metrics).`);
  }

  private publish(id: string, name: string, value: string, description: string, scope: Construct = this): void {
    new ssm.StringParameter(scope, id, { parameterName: name, stringValue: value, description, tier: ssm.ParameterTier.STANDARD });
  }
}

/**
 * Lets EC2 use the key for EBS volumes of instances launched in this account (the Auto Scaling
 * service-linked role launches node group instances), as the AWS-managed EBS key does.
 */
function allowEc2Volumes(key: kms.Key, stack: Stack): void {
  const conditions = {
    StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` },
  };
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEc2VolumesOfThisAccount',
    principals: [new iam.AnyPrincipal()],
    actions: SERVICE_KEY_ACTIONS,
    resources: ['*'],
    conditions,
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEc2VolumeGrants',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { ...conditions, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
}

/** Acknowledges the cdk-nag IAM4 finding of each AWS-managed policy on a role, by its exact ID. */
function acknowledgeManagedPolicies(role: iam.IRole, policies: readonly string[], reason: string): void {
  for (const p of policies) {
    const arn = nagResourceName(role, iam.ManagedPolicy.fromAwsManagedPolicyName(p).managedPolicyArn);
    Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM4[Policy::${arn}]`, reason });
  }
}
