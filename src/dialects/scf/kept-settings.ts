import { z } from "zod";
import { boundedText, intIn } from "./schema.js";

/**
 * Settings SCF documents that Quiver stores and echoes but does not act on, with the shapes of
 * the official SDK's models and the vendor's documented limits. Where SCF documents no limit,
 * the bound is Quiver's (docs/limits.md): identifiers 64 characters, names 128, flags and
 * enumerations 32, paths 255. Every version copies these, so each one is bounded.
 */

const ID = 64;
const NAME = 128;
const FLAG = 32;
const PATH = 255;

const id = boundedText(ID).optional();
const flag = boundedText(FLAG).optional();

/** Tag keys 1-127 and values 1-255 characters, at most 50 tags per resource (Tencent Tag limits). */
export const MAX_TAGS = 50;
const Tag = z.strictObject({
  Key: z.string().min(1, "a tag key has 1 to 127 characters").max(127, "a tag key has 1 to 127 characters"),
  Value: z.string().min(1, "a tag value has 1 to 255 characters").max(255, "a tag value has 1 to 255 characters"),
});

/** A layer name as PublishLayerVersion documents it. */
export const LAYER_NAME = /^[A-Za-z]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/;
export const LAYER_NAME_RULE = "a layer name has 1-64 letters, digits, '-' or '_', starting with a letter and not ending with '-' or '_'";

/** 5 layer versions per function version. */
export const MAX_LAYERS = 5;
/**
 * `Layers` of CreateFunction and UpdateFunctionConfiguration (not a kept setting: Quiver binds
 * them). An entry with an empty LayerName unbinds (with LayerVersion 0 when it is the last one),
 * as the SDK's LayerVersionSimple documents; such entries bind nothing.
 */
const Layer = z.strictObject({
  LayerName: z.string().refine((name) => name === "" || LAYER_NAME.test(name), LAYER_NAME_RULE),
  LayerVersion: intIn(0, Number.MAX_SAFE_INTEGER, "a layer version is a whole number from 1 (0 only to unbind)"),
});
export const LAYERS = z.array(Layer).max(MAX_LAYERS, `at most ${MAX_LAYERS} layer versions per function`).optional();

/** SCF mounts at most 3 file systems per function version by default. */
export const MAX_CFS_MOUNTS = 3;
const CfsInsInfo = z.strictObject({
  UserId: boundedText(ID),
  UserGroupId: boundedText(ID),
  CfsId: boundedText(ID),
  MountInsId: boundedText(ID),
  LocalMountDir: boundedText(PATH),
  RemoteMountDir: boundedText(PATH),
  IpAddress: id,
  MountVpcId: id,
  MountSubnetId: id,
});

const MAX_MIX_NODES = 16;

const InstanceConcurrencyConfig = z.strictObject({
  DynamicEnabled: flag,
  MaxConcurrency: intIn(1, 100, "from 1 to 100").optional(),
  InstanceIsolationEnabled: flag,
  Type: flag,
  MixNodeConfig: z
    .array(z.strictObject({ NodeSpec: id, Num: intIn(0, 1_000_000, "from 0 to 1000000").optional() }))
    .max(MAX_MIX_NODES, `at most ${MAX_MIX_NODES} node configurations`)
    .optional(),
  SessionConfig: z
    .strictObject({
      SessionSource: flag,
      SessionName: boundedText(40).optional(),
      MaximumConcurrencySessionPerInstance: intIn(0, 1_000_000, "from 0 to 1000000").optional(),
      MaximumTTLInSeconds: intIn(0, 1_000_000_000, "from 0 to 1000000000").optional(),
      MaximumIdleTimeInSeconds: intIn(0, 1_000_000_000, "from 0 to 1000000000").optional(),
      SessionPath: boundedText(PATH).optional(),
      IdleTimeoutStrategy: flag,
    })
    .optional(),
});

/** The pass-through settings of CreateFunction and UpdateFunctionConfiguration. */
export const KEPT_SETTINGS = {
  VpcConfig: z.strictObject({ VpcId: id, SubnetId: id }).optional(),
  Role: boundedText(NAME).optional(),
  InstallDependency: flag,
  ClsLogsetId: id,
  ClsTopicId: id,
  DeadLetterConfig: z.strictObject({ Type: boundedText(FLAG), Name: boundedText(NAME), FilterType: boundedText(NAME).optional() }).optional(),
  PublicNetConfig: z.strictObject({ PublicNetStatus: boundedText(FLAG), EipConfig: z.strictObject({ EipStatus: boundedText(FLAG) }).optional() }).optional(),
  CfsConfig: z.strictObject({ CfsInsList: z.array(CfsInsInfo).max(MAX_CFS_MOUNTS, `at most ${MAX_CFS_MOUNTS} file systems per function`) }).optional(),
  InitTimeout: intIn(3, 300, "from 3 to 300 seconds").optional(),
  Tags: z.array(Tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags per function`).optional(),
  AsyncRunEnable: flag,
  TraceEnable: flag,
  ProtocolParams: z.strictObject({ WSParams: z.strictObject({ IdleTimeOut: intIn(1, 1800, "from 1 to 1800 seconds").optional() }).optional() }).optional(),
  InstanceConcurrencyConfig: InstanceConcurrencyConfig.optional(),
  DnsCache: flag,
  IntranetConfig: z.strictObject({ IpFixed: boundedText(FLAG) }).optional(),
} as const;

export const KEPT_KEYS = Object.keys(KEPT_SETTINGS);

/** The kept settings a request carries, to merge into the function's `extras.scf`. */
export function keptSettings(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(KEPT_KEYS.filter((key) => params[key] !== undefined).map((key) => [key, params[key]]));
}
