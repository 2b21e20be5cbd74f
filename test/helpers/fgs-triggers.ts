import { fg, wire, type Wire } from "./fgs-sdk.js";

/** An APIG trigger as a test describes it; everything not named gets a plain documented value. */
export interface ApigSpec {
  readonly name: string;
  readonly path: string;
  readonly auth?: string;
  readonly matchMode?: string;
  readonly method?: string;
  /** `func_info.timeout` in ms; null sends no `func_info`. */
  readonly timeout?: number | null;
  readonly version?: string;
  readonly status?: string;
  /** Fields set on `event_data` as they are (to send what a client could, valid or not). */
  readonly raw?: Readonly<Record<string, unknown>>;
}

/** The APIG `event_data`, built through the SDK's own models (wire names come from them). */
export function apigEventData(spec: ApigSpec): fg.TriggerEventDataRequestBody {
  const data = new fg.TriggerEventDataRequestBody()
    .withName(spec.name)
    .withGroupId("0123456789abcdef0123456789abcdef")
    .withGroupName("APIGroup_test")
    .withEnvId("DEFAULT_ENVIRONMENT_RELEASE_ID")
    .withEnvName("RELEASE")
    .withAuth(spec.auth ?? "NONE")
    .withProtocol("HTTPS")
    .withPath(spec.path)
    .withMatchMode(spec.matchMode ?? "SWA")
    .withReqMethod(spec.method ?? "ANY")
    .withType(1)
    .withBackendType("FUNCTION")
    .withSlDomain("0123456789abcdef.apig.example.com");
  if (spec.timeout !== null) {
    const info = new fg.ApigTriggerFuncInfo().withTimeout(spec.timeout ?? 5000).withInvocationType("sync");
    data.withFuncInfo(spec.version === undefined ? info : info.withVersion(spec.version));
  }
  return Object.assign(data, spec.raw ?? {});
}

export async function createApigTrigger(client: fg.FunctionGraphClient, urn: string, spec: ApigSpec): Promise<Wire> {
  const body = new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode("APIG").withEventData(apigEventData(spec));
  if (spec.status !== undefined) body.withTriggerStatus(spec.status);
  return wire(await client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urn).withBody(body)));
}

/** A create with any type code and `event_data` (for the refusals). */
export async function createTrigger(client: fg.FunctionGraphClient, urn: string, type: string, eventData: fg.TriggerEventDataRequestBody): Promise<Wire> {
  const body = new fg.CreateFunctionTriggerRequestBody().withTriggerTypeCode(type).withEventData(eventData);
  return wire(await client.createFunctionTrigger(new fg.CreateFunctionTriggerRequest().withFunctionUrn(urn).withBody(body)));
}

export async function listTriggers(client: fg.FunctionGraphClient, urn: string): Promise<Wire[]> {
  const answer = (await client.listFunctionTriggers(new fg.ListFunctionTriggersRequest().withFunctionUrn(urn))) as unknown;
  // The SDK returns a top-level array as it is, with httpStatusCode attached.
  return Array.from(answer as Wire[]);
}

export async function showTrigger(client: fg.FunctionGraphClient, urn: string, type: string, id: string): Promise<Wire> {
  return wire(await client.showFunctionTrigger(new fg.ShowFunctionTriggerRequest().withFunctionUrn(urn).withTriggerTypeCode(type).withTriggerId(id)));
}

export async function updateTrigger(client: fg.FunctionGraphClient, urn: string, type: string, id: string, body: fg.UpdateTriggerRequestBody): Promise<Wire> {
  return wire(await client.updateTrigger(new fg.UpdateTriggerRequest().withFunctionUrn(urn).withTriggerTypeCode(type).withTriggerId(id).withBody(body)));
}

export async function deleteTrigger(client: fg.FunctionGraphClient, urn: string, type: string, id: string): Promise<Wire> {
  return wire(await client.deleteFunctionTrigger(new fg.DeleteFunctionTriggerRequest().withFunctionUrn(urn).withTriggerTypeCode(type).withTriggerId(id)));
}

export async function deleteTriggers(client: fg.FunctionGraphClient, urn: string): Promise<Wire> {
  return wire(await client.batchDeleteFunctionTriggers(new fg.BatchDeleteFunctionTriggersRequest().withFunctionUrn(urn)));
}

/** `event_data` of a listed or shown trigger. */
export const eventDataOf = (trigger: Wire): Wire => trigger["event_data"] as Wire;
