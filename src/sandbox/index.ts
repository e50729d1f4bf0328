// Public surface of the sandbox tenant: a local fake ISC Identities API that follows the official spec.
export { createSandbox } from "./create-sandbox.js";
export { serveSandbox } from "./serve.js";
export { pickFixtures, type Fixtures } from "./fixtures.js";
export type { FaultSpec, RecordedRequest, Sandbox, SandboxOptions, ServedSandbox } from "./types.js";
export type {
  AssociationDetail,
  BaseReference,
  Identity,
  IdentityFlags,
  IdentityRef,
  IdentityStatus,
  RoleAssignmentDto,
  RoleAssignmentRef,
  SandboxState,
} from "./model.js";
