import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LakehouseZone, Profiles } from '../../lib';
import { CLUSTER_DEFAULTS, clusterParameterNames, teamServiceAccount } from '../../lib/training/cluster-options';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTrainingEksExample } from '../../examples/training-eks';
import { logicalIdsOf, normalizedTemplate, testApp, testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { clusterEngine, clusterInputs } from './cluster-fixtures';

const ref = (logicalIdPattern: string) => ({ Ref: Match.stringLikeRegexp(logicalIdPattern) });
const arnOf = (logicalIdPattern: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(logicalIdPattern), 'Arn'] });

describe('ClusterEngine with default pools, two teams and an admin', () => {
  // One stack, synthesized once with cdk-nag, shared by every assertion below and the snapshot.
  const stack = testStack({ nag: true });
  const inputs = clusterInputs(stack);
  // Created in the app: an access entry needs an existing principal (an imported one warns, see below).
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'platform-deployer' });
  const engine = clusterEngine(stack, inputs, {
    // The Terraform path, chosen explicitly: no kubectl provider.
    kubectlProvider: false,
    teams: [
      { name: 'vision', readZones: [LakehouseZone.CURATED], writeZones: [LakehouseZone.ANALYTICS] },
      { name: 'nlp', readZones: [LakehouseZone.CURATED, LakehouseZone.RAW], artifactPrefixes: ['models/churn/', 'shared/nlp/'] },
    ],
    admins: [admin],
  });
  let t: Template;
  let messages: cxapi.SynthesisMessage[];
  beforeAll(() => {
    // Throws on any unacknowledged cdk-nag finding; Template.fromStack reuses this assembly.
    messages = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages;
    t = Template.fromStack(stack);
  });

  test('cdk-nag AwsSolutions reports zero unacknowledged findings (EKS1 and EKS2 pass) and nothing warns', () => {
    expect(messages.map((m) => `${m.level} ${m.id}`)).toEqual([]);
  });

  test('the cluster endpoint is private only, and the cluster is deletion-protected in prod', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'mlops-prod-training',
      DeletionProtection: true,
      ResourcesVpcConfig: { EndpointPrivateAccess: true, EndpointPublicAccess: false, SubnetIds: [ref('VpctrainingSubnet1'), ref('VpctrainingSubnet2')] },
      AccessConfig: { AuthenticationMode: 'API' },
      ComputeConfig: { Enabled: false },
    });
  });

  test('every control-plane log type goes to a pre-created, encrypted, retained log group', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', { Logging: { ClusterLogging: { EnabledTypes: [
      { Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' },
    ] } } });
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/eks/mlops-prod-training/cluster', RetentionInDays: 365, KmsKeyId: arnOf('EngineKey') },
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
    const cluster = Object.values(t.findResources('AWS::EKS::Cluster'))[0];
    expect(cluster.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EngineControlPlaneLogs/)]));
  });

  test('secrets are encrypted with a rotating, retained customer-managed key', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', { EncryptionConfig: [{ Provider: { KeyArn: arnOf('EngineKey') }, Resources: ['secrets'] }] });
    t.hasResource('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('^EKS cluster mlops-prod-training'), EnableKeyRotation: true },
      DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
    });
  });

  test('runs the newest Kubernetes version by default, with no default capacity and no kubectl Lambda', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', { Version: CLUSTER_DEFAULTS.kubernetesVersion.version });
    t.resourceCountIs('AWS::EKS::Nodegroup', 2);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });

  test('the system node group runs AL2023 on m7i.large, 2 to 3 nodes, in the isolated subnets', () => {
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: ['m7i.large'],
      CapacityType: 'ON_DEMAND',
      ScalingConfig: { MinSize: 2, MaxSize: 3, DesiredSize: 2 },
      Labels: { 'mlops/node-pool': 'system' },
      Subnets: [ref('VpctrainingSubnet1'), ref('VpctrainingSubnet2')],
      NodeRole: arnOf('EngineNodeRole'),
      Taints: Match.absent(),
    });
  });

  test('GPU node groups scale to zero and carry the GPU taint and labels', () => {
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_NVIDIA',
      InstanceTypes: ['g5.xlarge'],
      CapacityType: 'ON_DEMAND',
      ScalingConfig: { MinSize: 0, MaxSize: 2, DesiredSize: 0 },
      Labels: { 'mlops/node-pool': 'gpu', 'nvidia.com/gpu.present': 'true' },
      Taints: [{ Key: 'nvidia.com/gpu', Value: 'true', Effect: 'NO_SCHEDULE' }],
      Subnets: [ref('VpctrainingSubnet1'), ref('VpctrainingSubnet2')],
    });
    expect(Object.keys(engine.gpuNodegroups)).toEqual(['gpu']);
  });

  test('nodes require IMDSv2 with hop limit 1 and boot from encrypted gp3 volumes', () => {
    for (const size of [CLUSTER_DEFAULTS.systemDiskSize, CLUSTER_DEFAULTS.gpuDiskSize]) {
      t.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: arnOf('EngineKey'), VolumeType: 'gp3', VolumeSize: size } }],
      } });
    }
    // EC2 (for the Auto Scaling service-linked role) may use the key for volumes in this account only.
    t.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
      Sid: 'AllowEc2VolumeGrants', Action: 'kms:CreateGrant',
      Condition: { StringEquals: { 'kms:CallerAccount': '123456789012', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    })]) } });
  });

  test('nodes share one role with the documented EKS worker policies (ECR pull-only)', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly']
        .map((p) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${p}`]] })),
    });
  });

  test('installs the EKS Pod Identity agent add-on after the system nodes', () => {
    t.hasResource('AWS::EKS::Addon', {
      Properties: { AddonName: 'eks-pod-identity-agent', ClusterName: ref('EngineCluster') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^EngineSystemNodes')]),
    });
  });

  test('publishes cluster name, ARN, endpoint and CA to SSM parameters with documented names', () => {
    const names = clusterParameterNames('mlops', 'prod');
    expect(engine.parameterNames.endpoint).toBe('/mlops/prod/training/eks/endpoint');
    const expected: Array<[string, unknown]> = [
      [names.clusterName, ref('EngineCluster')],
      [names.clusterArn, arnOf('EngineCluster')],
      [names.endpoint, { 'Fn::GetAtt': [Match.stringLikeRegexp('EngineCluster'), 'Endpoint'] }],
      [names.certificateAuthority, { 'Fn::GetAtt': [Match.stringLikeRegexp('EngineCluster'), 'CertificateAuthorityData'] }],
    ];
    for (const [Name, Value] of expected) t.hasResourceProperties('AWS::SSM::Parameter', { Name, Value, Type: 'String' });
  });

  test('adds the EC2, EKS, EKS Auth, Auto Scaling and SSM endpoints to an owned VPC, open only to the cluster and its deployers', () => {
    expect(engine.addedEndpoints).toEqual(['ec2', 'eks', 'eks-auth', 'autoscaling', 'ssm']);
    for (const service of engine.addedEndpoints) {
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: `com.amazonaws.us-east-1.${service}`, VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    }
    const endpointRules = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes('EngineEndpoints'));
    // Each endpoint: HTTPS from the cluster security group and from the deployer security group (the
    // Terraform runner reads SSM and calls EKS; the kubectl provider calls eks:DescribeCluster).
    expect(endpointRules).toHaveLength(10);
    const sources = endpointRules.map((r) => {
      expect(r.Properties).toMatchObject({ FromPort: 443, ToPort: 443 });
      return (r.Properties.SourceSecurityGroupId['Fn::GetAtt'] as string[]).join('.').replace(/[0-9A-F]{8}\./, '.');
    });
    expect(sources.sort()).toEqual([...Array(5).fill('EngineCluster.ClusterSecurityGroupId'), ...Array(5).fill('EngineDeployerSecurityGroup.GroupId')].sort());
    // Nodes boot only after the endpoints they need exist.
    for (const group of Object.values(t.findResources('AWS::EKS::Nodegroup'))) {
      expect(group.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EngineEndpointsEksAuth/), expect.stringMatching(/^EngineEndpointsEc2/)]));
    }
  });

  test('the AWS-managed policy findings are acknowledged by exact ID', () => {
    const acks = (construct: { node: { metadata: Array<{ type: string; data: unknown }> } }) => construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => JSON.stringify(m.data)).join('\n');
    expect(acks(engine.cluster.role as iam.Role)).toContain('AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]');
    for (const p of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryPullOnly']) {
      expect(acks(engine.nodeRole as iam.Role)).toContain(`AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${p}]`);
    }
  });

  test('logical IDs of the stateful resources are pinned (changing them replaces the cluster, its key or its audit logs)', () => {
    expect(['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::EKS::Cluster'].flatMap((type) => logicalIdsOf(t, type)).filter((id) => id.startsWith('Engine')))
      .toEqual(['EngineKeyEB8C61A7', 'EngineControlPlaneLogs0781629D', 'EngineCluster71676A77']);
  });

  test('normalized snapshot', () => {
    expect(normalizedTemplate(stack)).toMatchSnapshot();
  });

  test('one Pod Identity role per team, assumable only by its service account on this cluster', () => {
    expect(Object.keys(engine.teamRoles)).toEqual(['vision', 'nlp']);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: {
        'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:us-east-1:123456789012:cluster/mlops-prod-training',
        'aws:RequestTag/kubernetes-namespace': 'vision',
        'aws:RequestTag/kubernetes-service-account': 'vision-training',
      } },
    }] } });
  });

  test('binds each team role to <team>-training in namespace <team>, after the agent', () => {
    expect(teamServiceAccount('nlp')).toBe('nlp-training');
    for (const team of ['vision', 'nlp']) {
      t.hasResource('AWS::EKS::PodIdentityAssociation', {
        Properties: { ClusterName: ref('EngineCluster'), Namespace: team, ServiceAccount: `${team}-training`, RoleArn: arnOf(`EngineTeams${team}Role`) },
        DependsOn: [Match.stringLikeRegexp('EksPodIdentityAgentAddon')],
      });
      t.hasResourceProperties('AWS::SSM::Parameter', { Name: `/mlops/prod/training/eks/teams/${team}/role-arn`, Value: arnOf(`EngineTeams${team}Role`) });
    }
  });

  test('grants lakehouse zones per team: read where declared, write where declared, nothing else', () => {
    const grants = (team: string) => Object.values(t.findResources('AWS::LakeFormation::PrincipalPermissions'))
      .filter((r) => JSON.stringify(r.Properties.Principal).includes(`EngineTeams${team}Role`))
      .map((r) => `${JSON.stringify(r.Properties.Resource).match(/mlops_prod_lake_(\w+)|Lake(\w+)Bucket/)![0]}:${r.Properties.Permissions.join('+')}`).sort();
    expect(grants('vision')).toEqual([
      'LakeAnalyticsBucket:DATA_LOCATION_ACCESS', 'mlops_prod_lake_analytics:DESCRIBE+CREATE_TABLE', 'mlops_prod_lake_analytics:SELECT+DESCRIBE+INSERT+DELETE+ALTER',
      'mlops_prod_lake_curated:DESCRIBE', 'mlops_prod_lake_curated:SELECT+DESCRIBE',
    ]);
    expect(grants('nlp')).toEqual([
      'mlops_prod_lake_curated:DESCRIBE', 'mlops_prod_lake_curated:SELECT+DESCRIBE', 'mlops_prod_lake_raw:DESCRIBE', 'mlops_prod_lake_raw:SELECT+DESCRIBE',
    ]);
  });

  test('grants artifact objects under the team prefixes only, listing only those prefixes, with the artifact key', () => {
    const policy = Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('EngineTeamsnlpRole'))![1];
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>;
    const text = JSON.stringify(statements);
    expect(text).toContain('/models/churn/*');
    expect(text).toContain('/shared/nlp/*');
    expect(text).not.toMatch(/Artifacts[A-Z0-9]+","Arn"\]\},"\/\*"/); // never the whole artifact bucket
    expect(statements).toContainEqual({
      Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Artifacts/), 'Arn'] },
      Condition: { StringLike: { 's3:prefix': ['models/churn/', 'models/churn/*', 'shared/nlp/', 'shared/nlp/*'] } },
    });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: arnOf('ArtifactKey'),
    })]) } });
    // A team without artifactPrefixes gets teams/<team>/.
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('/teams/vision/*');
  });

  test('gives the cluster autoscaler a Pod Identity role that resizes only this cluster\'s node groups', () => {
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'kube-system', ServiceAccount: 'cluster-autoscaler', RoleArn: arnOf('EngineClusterAutoscalerRole'),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref('EngineClusterAutoscalerRole')],
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'eks:DescribeNodegroup', Resource: [arnOf('EngineGpuNodesgpu'), arnOf('EngineSystemNodes')] }),
        Match.objectLike({
          Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'], Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/mlops-prod-training': 'owned' } },
        }),
      ]) },
    });
    expect(engine.autoscalerRole).toBeDefined();
  });

  test('gives admins cluster-admin through an access entry', () => {
    t.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: arnOf('Admin'),
      AccessPolicies: [{ PolicyArn: Match.anyValue(), AccessScope: { Type: 'cluster' } }],
    });
    expect(JSON.stringify(t.findResources('AWS::EKS::AccessEntry'))).toContain(':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy');
  });
});

describe('ClusterEngine with custom pools in a VPC it does not own', () => {
  const stack = testStack();
  const engine = clusterEngine(stack, clusterInputs(stack), {
    // The Kubernetes layer is applied with Terraform here: no kubectl provider, chosen explicitly.
    kubectlProvider: false,
    kubernetesVersion: eks.KubernetesVersion.V1_34,
    systemNodes: { instanceType: new ec2.InstanceType('c7i.xlarge'), minSize: 3, maxSize: 5, desiredSize: 4, diskSize: 80 },
    gpuNodeGroups: [
      { name: 'h100', instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 2, capacityType: eks.CapacityType.SPOT, diskSize: 500 },
      // Two types of equal capacity (4 vCPUs, 16 GiB, 1 GPU): one pool may mix them.
      { name: 'single-gpu', instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g5.xlarge')], minSize: 1, maxSize: 8 },
    ],
    deletionProtection: false,
  }, { vpcIsOwned: false, removalPolicy: RemovalPolicy.DESTROY });
  const assembly = (stack.node.root as App).synth();
  const t = Template.fromStack(stack);

  test('custom pools: versions, instance types (p5 included), sizes, spot and disks', () => {
    t.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.34', DeletionProtection: false });
    t.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['c7i.xlarge'], ScalingConfig: { MinSize: 3, MaxSize: 5, DesiredSize: 4 } });
    t.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_NVIDIA', InstanceTypes: ['p5.48xlarge'], CapacityType: 'SPOT', ScalingConfig: { MinSize: 0, MaxSize: 2, DesiredSize: 0 },
      Labels: { 'mlops/node-pool': 'h100', 'nvidia.com/gpu.present': 'true' },
    });
    t.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['g6.xlarge', 'g5.xlarge'], ScalingConfig: { MinSize: 1, MaxSize: 8, DesiredSize: 1 } });
    for (const size of [80, 500]) {
      t.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: size }) })] } });
    }
  });

  test('adds no endpoints and warns once, naming the endpoints the VPC needs', () => {
    expect(engine.addedEndpoints).toEqual([]);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const warnings = assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning');
    expect(warnings.map((m) => m.id)).toEqual(['/Test/Engine']);
    expect(String(warnings[0].entry.data)).toMatch(/ecr\.api, ecr\.dkr, sts, logs, ec2, eks, eks-auth, autoscaling, ssm interface endpoints/);
  });

  test('applies the removal policy it is given to the key and the log group', () => {
    t.hasResource('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('^EKS cluster') }, DeletionPolicy: 'Delete' });
    t.hasResource('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/aws/eks/mlops-prod-training/cluster' }, DeletionPolicy: 'Delete' });
  });
});

describe('ClusterEngine documented defaults', () => {
  const DOCS = documentedDefaults('lib/training/cluster-options.ts');
  test('the docs state the values in CLUSTER_DEFAULTS', () => {
    const d = CLUSTER_DEFAULTS;
    expect(DOCS.get('ClusterEngineOptions.kubernetesVersion')).toBe(`eks.KubernetesVersion.V${d.kubernetesVersion.version.replace('.', '_')}`);
    expect(DOCS.get('ClusterEngineOptions.clusterName')).toBe(`\`<project>-<env>-${d.clusterNameSuffix}\``);
    expect(DOCS.get('ClusterEngineOptions.gpuNodeGroups')).toBe(
      `one group \`${d.gpuNodeGroup.name}\` of ${d.gpuNodeGroup.instanceType}, ${d.gpuMinSize} to ${d.gpuNodeGroup.maxSize} nodes`);
    expect(DOCS.get('SystemNodeGroupOptions.instanceType')).toBe(d.systemInstanceType);
    expect(DOCS.get('SystemNodeGroupOptions.minSize')).toBe(String(d.systemMinSize));
    expect(DOCS.get('SystemNodeGroupOptions.maxSize')).toBe(String(d.systemMaxSize));
    expect(DOCS.get('SystemNodeGroupOptions.desiredSize')).toBe('minSize');
    expect(DOCS.get('SystemNodeGroupOptions.diskSize')).toBe(String(d.systemDiskSize));
    expect(DOCS.get('GpuNodeGroupOptions.minSize')).toBe(String(d.gpuMinSize));
    expect(DOCS.get('GpuNodeGroupOptions.desiredSize')).toBe('minSize');
    expect(DOCS.get('GpuNodeGroupOptions.diskSize')).toBe(String(d.gpuDiskSize));
    expect(DOCS.get('GpuNodeGroupOptions.capacityType')).toBe(`eks.CapacityType.${d.gpuCapacityType}`);
    expect(DOCS.get('ClusterEngineOptions.deletionProtection')).toBe('the profile\'s deletionProtection (on in staging and prod)');
    expect([Profiles.STAGING.deletionProtection, Profiles.PROD.deletionProtection, Profiles.DEV.deletionProtection]).toEqual([true, true, false]);
    expect(DOCS.get('ClusterEngineOptions.kubectlProvider')).toBe(String(d.kubectlProvider));
    expect(DOCS.get('TeamOptions.artifactPrefixes')).toBe(`[\`${d.teamArtifactPrefix}\`]`);
  });
});

describe('examples/training-eks.ts', () => {
  // CloudFormation schema validation of this example runs in test/app.test.ts with every other
  // validated synth (the validation engine costs seconds to start, once per test file); here cdk-nag.
  let stack: Stack;
  beforeAll(() => {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    stack = buildTrainingEksExample(app);
    app.synth();
  });

  test('builds the cluster, pools and team roles it describes', () => {
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EKS::Cluster', 1);
    t.hasResourceProperties('AWS::EKS::Cluster', { Name: 'acme-prod-training', ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false }) });
    t.resourceCountIs('AWS::EKS::Nodegroup', 3);
    t.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['g5.2xlarge', 'g6.2xlarge'], CapacityType: 'SPOT', ScalingConfig: { MinSize: 0, MaxSize: 6, DesiredSize: 0 } });
    t.resourceCountIs('AWS::EKS::PodIdentityAssociation', 3); // two teams and the cluster autoscaler
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/acme/prod/training/eks/teams/forecasting/role-arn' });
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('/models/defect-detector/*');
  });
  test('installs the operators and the Kubernetes layer in the same deploy by default, through the default kubectl layer', () => {
    const t = Template.fromStack(stack);
    const layers = Object.keys(t.findResources('AWS::Lambda::LayerVersion')).filter((id) => !id.includes('AwsCliLayer'));
    expect(layers).toEqual([expect.stringMatching(/^TrainingClusterKubectlLayer[0-9A-F]{8}$/)]);
    expect(Object.keys(t.findResources('Custom::AWSCDK-EKS-HelmChart')).length).toBeGreaterThan(0);
    // The teams' namespaces are among the manifests this deploy applies.
    expect(JSON.stringify(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))).toContain('forecasting');
    const warnings = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning');
    expect(warnings).toEqual([]);
  });

  test('-c kubectlProvider=false takes the Terraform path: no kubectl provider, no manifests, no warning', () => {
    const app = testApp({ kubectlProvider: 'false' });
    const built = buildTrainingEksExample(app);
    const assembly = app.synth();
    const t = Template.fromStack(built);
    t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    t.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 0);
    expect(assembly.getStackArtifact(built.artifactId).messages.filter((m) => m.level === 'warning')).toEqual([]);
  });
});
