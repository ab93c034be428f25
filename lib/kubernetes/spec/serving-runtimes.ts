/**
 * The KServe ClusterServingRuntimes of the pinned `kserve-runtime-configs` chart, as data. KServe
 * v0.20.0 moved them out of `kserve-resources` into this chart (kserve/kserve v0.20.0,
 * charts/kserve-runtime-configs: Chart.yaml `name: kserve-runtime-configs`, `version: v0.20.0`;
 * README.md `helm install kserve-runtime-configs oci://ghcr.io/kserve/charts/kserve-runtime-configs
 * --set kserve.servingruntime.enabled=true ... --version v0.20.0`). Its values.yaml turns every
 * runtime off unless `kserve.servingruntime.enabled: true`, and each runtime has a
 * `kserve.servingruntime.<key>.disabled` flag and an `.image` key (the tag is `.tag`, else
 * `kserve.version`, templates in files/runtimes/clusterservingruntimes-patch.yaml).
 *
 * An InferenceService that names only `modelFormat` (what {@link inferenceService} renders) is
 * served by an enabled runtime that lists the format with `autoSelect: true` and supports the
 * InferenceService's protocol, `v1` by default (pkg/apis/serving/v1beta1/predictor_model.go:
 * `GetSupportingRuntimes` skips `IsDisabled()` runtimes and keeps those where
 * `RuntimeSupportsModel` and `IsProtocolVersionSupported(GetProtocol())`, `GetProtocol` defaulting
 * to `ProtocolV1`; `getServingRuntimeSupportedModelFormatLabelSet` counts only `autoSelect`
 * formats when no runtime is named). Formats and protocols below are read from
 * charts/kserve-runtime-configs/files/runtimes/resources.yaml at v0.20.0.
 */
import { ValidationError } from '../../core/errors';
import { KubernetesManifest } from './manifest';

/** One ClusterServingRuntime of the chart. */
export interface KserveServingRuntime {
  /** Its key under `kserve.servingruntime` in the chart's values. */
  readonly key: string;
  /** The ClusterServingRuntime names it produces (a key may drive more than one). */
  readonly names: readonly string[];
  /** The repository (no tag) of its `image` value. */
  readonly image: string;
  /** Model formats it lists with `autoSelect: true`. */
  readonly autoSelect: readonly string[];
  /** Protocol versions it supports. */
  readonly protocols: readonly string[];
}

/** The runtimes of kserve-runtime-configs v0.20.0 (files/runtimes/resources.yaml, values.yaml). */
export const KSERVE_SERVING_RUNTIMES: readonly KserveServingRuntime[] = [
  { key: 'autogluonserver', names: ['kserve-autogluonserver'], image: 'kserve/autogluonserver', autoSelect: ['autogluon'], protocols: ['v1', 'v2'] },
  // The multinode runtime's `disabled` is templated from `huggingfaceserver.disabled` too.
  { key: 'huggingfaceserver', names: ['kserve-huggingfaceserver', 'kserve-huggingfaceserver-multinode'], image: 'kserve/huggingfaceserver', autoSelect: ['huggingface'], protocols: ['v1', 'v2'] },
  { key: 'lgbserver', names: ['kserve-lgbserver'], image: 'kserve/lgbserver', autoSelect: ['lightgbm'], protocols: ['v1', 'v2'] },
  { key: 'mlserver', names: ['kserve-mlserver'], image: 'docker.io/seldonio/mlserver', autoSelect: ['sklearn', 'xgboost', 'lightgbm', 'mlflow'], protocols: ['v2'] },
  { key: 'paddleserver', names: ['kserve-paddleserver'], image: 'kserve/paddleserver', autoSelect: ['paddle'], protocols: ['v1', 'v2'] },
  { key: 'pmmlserver', names: ['kserve-pmmlserver'], image: 'kserve/pmmlserver', autoSelect: ['pmml'], protocols: ['v1', 'v2'] },
  { key: 'predictiveserver', names: ['kserve-predictiveserver'], image: 'kserve/predictiveserver', autoSelect: [], protocols: ['v1', 'v2'] },
  { key: 'sklearnserver', names: ['kserve-sklearnserver'], image: 'kserve/sklearnserver', autoSelect: ['sklearn'], protocols: ['v1', 'v2'] },
  { key: 'tensorflow', names: ['kserve-tensorflow-serving'], image: 'tensorflow/serving', autoSelect: ['tensorflow'], protocols: ['v1', 'grpc-v1'] },
  { key: 'torchserve', names: ['kserve-torchserve'], image: 'pytorch/torchserve-kfs', autoSelect: ['pytorch'], protocols: ['v1', 'v2', 'grpc-v2'] },
  { key: 'tritonserver', names: ['kserve-tritonserver'], image: 'nvcr.io/nvidia/tritonserver', autoSelect: ['tensorrt', 'tensorflow', 'onnx', 'triton'], protocols: ['v2', 'grpc-v2'] },
  // Its default tag is `latest`: never enabled by this layer (not a pinned image).
  { key: 'vllmserver', names: ['kserve-vllmserver'], image: 'vllm/vllm-openai', autoSelect: ['vLLM'], protocols: ['v1', 'v2'] },
  { key: 'xgbserver', names: ['kserve-xgbserver'], image: 'kserve/xgbserver', autoSelect: ['xgboost'], protocols: ['v1', 'v2'] },
];

/** The protocol the layer's InferenceServices use (they set no `protocolVersion`). */
export const INFERENCE_PROTOCOL = 'v1';

/**
 * The runtime the layer enables for each model format it serves: the chart's own model server of
 * the format (pinned to the KServe release by `kserve.version`), with protocol v1.
 */
export const RUNTIME_FOR_FORMAT: Readonly<Record<string, string>> = {
  autogluon: 'autogluonserver',
  huggingface: 'huggingfaceserver',
  lightgbm: 'lgbserver',
  paddle: 'paddleserver',
  pmml: 'pmmlserver',
  pytorch: 'torchserve',
  sklearn: 'sklearnserver',
  tensorflow: 'tensorflow',
  xgboost: 'xgbserver',
};

/** The model formats the InferenceServices among `manifests` name, sorted, without repeats. */
export function modelFormatsOf(manifests: readonly KubernetesManifest[]): string[] {
  const formats = manifests
    .filter((m) => m.kind === 'InferenceService' && m.apiVersion.startsWith('serving.kserve.io/'))
    .map((m) => ((m.spec as { predictor?: { model?: { modelFormat?: { name?: string } } } } | undefined)?.predictor?.model?.modelFormat?.name))
    .filter((f): f is string => typeof f === 'string');
  return [...new Set(formats)].sort();
}

/**
 * The runtime keys to enable for `formats`. Throws a ValidationError naming every format no
 * runtime of the pinned chart serves.
 */
export function servingRuntimeKeysFor(formats: readonly string[], path = 'operatorCharts'): string[] {
  const unknown = formats.filter((f) => RUNTIME_FOR_FORMAT[f] === undefined);
  if (unknown.length > 0) {
    throw new ValidationError(path, unknown.map((f) => ({
      property: 'servingModelFormats', value: JSON.stringify(f),
      allowed: `must be a model format a ClusterServingRuntime of kserve-runtime-configs serves: ${Object.keys(RUNTIME_FOR_FORMAT).join(', ')}`,
    })));
  }
  return [...new Set(formats.map((f) => RUNTIME_FOR_FORMAT[f]))].sort();
}

/**
 * The `kserve-runtime-configs` values that create the runtimes with every runtime but `keys`
 * disabled (`disabled: true`: KServe never selects it) and the LLM configs off.
 */
export function servingRuntimeValues(keys: readonly string[]): Record<string, unknown> {
  const servingruntime: Record<string, unknown> = { enabled: true };
  for (const r of KSERVE_SERVING_RUNTIMES) servingruntime[r.key] = { disabled: !keys.includes(r.key) };
  // The multinode runtime has a flag of its own in values.yaml, though its template reads huggingfaceserver's.
  servingruntime.huggingfaceserver_multinode = { disabled: !keys.includes('huggingfaceserver') };
  return { kserve: { servingruntime, llmisvcConfigs: { enabled: false } } };
}

/**
 * The ClusterServingRuntimes that serve a model format with the given chart values: enabled
 * (`servingruntime.enabled` and not `disabled`), listing the format with `autoSelect`, and
 * supporting the layer's protocol.
 */
export function runtimesServing(format: string, values: unknown): string[] {
  const sr = (values as { kserve?: { servingruntime?: Record<string, unknown> } } | undefined)?.kserve?.servingruntime;
  if (!sr || sr.enabled !== true) return [];
  return KSERVE_SERVING_RUNTIMES
    .filter((r) => (sr[r.key] as { disabled?: unknown } | undefined)?.disabled !== true)
    .filter((r) => r.autoSelect.includes(format) && r.protocols.includes(INFERENCE_PROTOCOL))
    .flatMap((r) => r.names.slice(0, 1));
}
