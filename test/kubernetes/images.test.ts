import { DEFAULT_PULL_THROUGH_PREFIXES, WORKLOAD_DEFAULTS, kubernetesWorkloads, mirroredImage, parseImage, podTemplatesOf } from '../../lib/kubernetes/spec';
import { twoTeams } from './fixtures';
import { loadVendoredSchemas, validateCustomResource } from './schema-validator';

const ECR = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';

describe('image references in a cluster without internet egress (ECR pull-through caches)', () => {
  test('parses references as Docker does', () => {
    expect(parseImage('pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime')).toEqual({ host: 'docker.io', repository: 'pytorch/pytorch', suffix: ':2.7.1-cuda12.8-cudnn9-runtime' });
    expect(parseImage('python:3.12')).toEqual({ host: 'docker.io', repository: 'library/python', suffix: ':3.12' });
    expect(parseImage('ghcr.io/kubeflow/trainer/torchtune@sha256:abc')).toEqual({ host: 'ghcr.io', repository: 'kubeflow/trainer/torchtune', suffix: '@sha256:abc' });
    expect(parseImage('localhost:5000/x:1')).toEqual({ host: 'localhost:5000', repository: 'x', suffix: ':1' });
  });

  test('rewrites to the pull-through prefix, keeps ECR references, refuses registries without a rule', () => {
    expect(mirroredImage('pytorch/pytorch:2.7.1', ECR)).toBe(`${ECR}/docker-hub/pytorch/pytorch:2.7.1`);
    expect(mirroredImage('python:3.12', ECR)).toBe(`${ECR}/docker-hub/library/python:3.12`);
    expect(mirroredImage('registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0', ECR)).toBe(`${ECR}/kubernetes/autoscaling/cluster-autoscaler:v1.35.0`);
    expect(mirroredImage(`${ECR}/team/trainer:1`, ECR)).toBe(`${ECR}/team/trainer:1`);
    expect(mirroredImage('nvcr.io/nvidia/pytorch:25.01-py3', ECR)).toBeUndefined();
    expect(Object.keys(DEFAULT_PULL_THROUGH_PREFIXES)).toEqual(['docker.io', 'ghcr.io', 'registry.k8s.io', 'quay.io', 'public.ecr.aws']);
  });

  test('with an imageRegistry, every image the spec renders is in it (training runtime, storage initializer)', () => {
    const w = kubernetesWorkloads(twoTeams({ imageRegistry: ECR }));
    const images = w.all.flatMap(podTemplatesOf).flatMap((t) => t.containers.map((c) => c.image)).filter((i) => i !== undefined);
    expect(images).toEqual([
      `${ECR}/docker-hub/kserve/storage-initializer:v0.20.0`,
      `${ECR}/docker-hub/${WORKLOAD_DEFAULTS.trainingImage}`,
      `${ECR}/docker-hub/${WORKLOAD_DEFAULTS.trainingImage}`,
    ]);
    const schemas = loadVendoredSchemas();
    expect(w.all.filter((m) => m.kind === 'ClusterStorageContainer').flatMap((m) => validateCustomResource(m, schemas))).toEqual([]);
  });

  test('without one, images stay as declared (a cluster with internet egress)', () => {
    const w = kubernetesWorkloads(twoTeams());
    expect(JSON.stringify(w.all)).toContain(`"image":"${WORKLOAD_DEFAULTS.trainingImage}"`);
    expect(JSON.stringify(w.all)).not.toContain('storage-initializer:v0.20.0');
  });

  test('fails when the training image has no pull-through rule, or the registry is not ECR', () => {
    expect(() => kubernetesWorkloads(twoTeams({ imageRegistry: ECR, training: { image: 'nvcr.io/nvidia/pytorch:25.01-py3' } })))
      .toThrow(/training\.image \("nvcr\.io\/nvidia\/pytorch:25\.01-py3"\): must be in 111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com or in a registry with a pull-through cache prefix/);
    expect(() => kubernetesWorkloads(twoTeams({ imageRegistry: 'docker.io' }))).toThrow(/imageRegistry \("docker\.io"\): must be a private ECR registry host/);
  });
});
