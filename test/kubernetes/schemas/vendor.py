#!/usr/bin/env python3
"""Re-vendors the CRD schemas of the pinned operator releases (see README.md).

Usage: python3 vendor.py <kserve-git-dir> <kueue-git-dir> <trainer-git-dir>
Reads each CRD with `git show <tag>:<path>`, takes the openAPIV3Schema of the served version
this layer renders, drops `description` texts (size only; every other keyword is kept) and
writes <group>_<kind>_<version>.json next to this file.
"""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
# (repo index, tag, path, kind, version)
SOURCES = [
    (0, 'v0.20.0', 'config/crd/full/serving.kserve.io_inferenceservices.yaml', 'InferenceService', 'v1beta1'),
    (0, 'v0.20.0', 'config/crd/full/clusterstoragecontainer/serving.kserve.io_clusterstoragecontainers.yaml', 'ClusterStorageContainer', 'v1alpha1'),
    (1, 'v0.19.2', 'config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml', 'ResourceFlavor', 'v1beta2'),
    (1, 'v0.19.2', 'config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml', 'ClusterQueue', 'v1beta2'),
    (1, 'v0.19.2', 'config/components/crd/bases/kueue.x-k8s.io_localqueues.yaml', 'LocalQueue', 'v1beta2'),
    (2, 'v2.3.0', 'manifests/base/crds/trainer.kubeflow.org_trainingruntimes.yaml', 'TrainingRuntime', 'v1alpha1'),
]

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if not (k == 'description' and isinstance(v, str))}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

def main():
    import yaml
    repos = sys.argv[1:4]
    for idx, tag, path, kind, version in SOURCES:
        text = subprocess.run(['git', '--git-dir', repos[idx], 'show', f'{tag}:{path}'], check=True, capture_output=True, text=True).stdout
        crd = next(d for d in yaml.safe_load_all(text) if d and d.get('kind') == 'CustomResourceDefinition')
        assert crd['spec']['names']['kind'] == kind, (path, kind)
        v = next(v for v in crd['spec']['versions'] if v['name'] == version)
        assert v.get('served'), (kind, version, 'not served')
        out = {
            'source': {'repository': ['kserve/kserve', 'kubernetes-sigs/kueue', 'kubeflow/trainer'][idx], 'tag': tag, 'path': path},
            'group': crd['spec']['group'], 'kind': kind, 'version': version, 'scope': crd['spec']['scope'],
            'storage': bool(v.get('storage')), 'deprecated': bool(v.get('deprecated')),
            'openAPIV3Schema': strip(v['schema']['openAPIV3Schema']),
        }
        name = f"{crd['spec']['group']}_{kind}_{version}.json"
        with open(os.path.join(HERE, name), 'w') as f:
            json.dump(out, f, indent=None, separators=(',', ':'), sort_keys=True)
            f.write('\n')
        print(name, os.path.getsize(os.path.join(HERE, name)))

if __name__ == '__main__':
    main()
