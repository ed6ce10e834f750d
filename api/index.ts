// dlc as a library: compile an ONNX model into an artifact (in memory, then onto disk), re-ship a retrained
// model's weights against an artifact's compiled kernels, inspect a model after a pass pipeline, verify a
// compiled model against onnxruntime-node, time each kernel (`profile`), write an optimized graph (`optimize`'s) back as an ONNX model,
// tune the schedules of its kernels on a device and replay the records (`tuneModel`, CompileOptions.tuning). The
// `dlc` command line is a thin layer over these; the runtime that runs an artifact is 'dlc/runtime'.
export { compile, writeArtifact, PRECISIONS, type Artifact, type CompileOptions } from './compile.js';
export { updateWeights, type UpdatedArtifact, type UpdateWeightsOptions } from './update-weights.js';
export { inspect, describeModel, type InspectOptions, type InspectReport } from './inspect.js';
export { optimize, type Instruments, type OptimizedModel, type OptimizeOptions, type PassTimingSummary } from './optimize.js';
export { exportOnnxModel, DEFAULT_EXPORT_OPSET, type ExportOptions } from '../compiler/onnx/export.js';
export { profile, type KernelTiming, type ProfileOptions, type ProfileReport } from './profile.js';
export { verify, DEFAULT_TOLERANCE, F16_TOLERANCE, type VerifiedOutput, type VerifyOptions, type VerifyResult } from './verify.js';
export { tuneModel, type TuneOptions, type TuneProgress, type TuneResult, type WorkloadResult } from '../tune/tune.js';
export { WasmMeasurer } from '../tune/measure-wasm.js';
export { WebgpuMeasurer } from '../tune/measure-webgpu.js';
export { wasmDevice, webgpuDevice, deviceKey, type TuningDevice } from '../tune/device.js';
export { appendRecords, parseRecords, readRecordsFile, type TuningRecord } from '../tune/records.js';
export type { Feeds } from './feeds.js';
export type { Tolerance } from '../compiler/compare.js';
export { DlcError, UsageError } from '../compiler/errors.js';
export type { ScheduleOverrides } from '../codegen/schedule.js';
export { TARGET_NAMES, type TargetName } from '../codegen/targets.js';
export type { Precision } from '../codegen/wgsl/program.js';
