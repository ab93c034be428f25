import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { Testing } from 'cdktf';
import { ValidationError } from '../../lib/core';
import { kubernetesApp, restrictedPodSecurityViolations } from '../../lib/kubernetes';
import { buildKubernetesApp, kubernetesDeclaration } from '../../bin/kubernetes';

const ROOT = path.join(__dirname, '..', '..');
const sources = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []).flatMap((e) =>
  e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(ts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []);
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/');
const importsOf = (f: string) => ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true).importedFiles.map((i) => i.fileName);

describe('cdktf stays inside lib/kubernetes', () => {
  test('no source outside lib/kubernetes (lib, bin, examples, scripts) imports cdktf or a provider', () => {
    const offenders = ['lib', 'bin', 'examples', 'scripts'].flatMap((d) => sources(path.join(ROOT, d)))
      .filter((f) => !rel(f).startsWith('lib/kubernetes/'))
      .flatMap((f) => importsOf(f).filter((i) => /^(cdktf|@cdktf\/)/.test(i)).map((i) => `${rel(f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  test('providers are imported by deep path only, everywhere (the package root costs seconds and a gigabyte)', () => {
    const offenders = ['lib', 'bin', 'examples', 'scripts', 'test'].flatMap((d) => sources(path.join(ROOT, d)))
      .flatMap((f) => importsOf(f).filter((i) => /^@cdktf\/provider-[a-z]+$/.test(i)).map((i) => `${rel(f)} imports ${i}`));
    expect(offenders).toEqual([]);
    expect(importsOf(path.join(ROOT, 'lib/kubernetes/cdktf/typed-resources.ts')).filter((i) => i.startsWith('@cdktf/')).every((i) => /^@cdktf\/provider-kubernetes\/lib\/[a-z0-9-]+$/.test(i))).toBe(true);
  });
});

describe('bin/kubernetes.ts (the cdktf app)', () => {
  const synth = (context?: Record<string, string>) => {
    const stack = buildKubernetesApp(kubernetesApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-')), context }));
    return { stack, tf: JSON.parse(Testing.synth(stack)) };
  };

  test('synthesizes dev by default, reading the dev cluster parameters', () => {
    const { stack, tf } = synth();
    expect(stack.node.id).toBe('mlops-dev-kubernetes');
    expect(tf.data.aws_ssm_parameter.ClusterEndpoint.name).toBe('/mlops/dev/training/eks/endpoint');
    expect(tf.terraform.backend.s3.key).toBe('mlops/dev/kubernetes.tfstate');
  });

  test('-c env=prod selects prod and its larger quotas', () => {
    const { stack, tf } = synth({ env: 'prod' });
    expect(stack.node.id).toBe('mlops-prod-kubernetes');
    expect(tf.resource.kubernetes_resource_quota_v1['ResourceQuota-vision-team-quota'].spec.hard['requests.nvidia.com/gpu']).toBe('8');
    expect(stack.workloads.all.flatMap(restrictedPodSecurityViolations)).toEqual([]);
  });

  test('fails on an unknown environment', () => {
    expect(() => synth({ env: 'qa' })).toThrow(ValidationError);
  });

  test('every environment declaration is valid', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) expect(kubernetesDeclaration(env).environment).toBe(env);
  });
});
