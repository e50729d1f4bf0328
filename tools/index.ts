// The one ordered list of tools the server offers.
import type { AnyTool } from "../src/define-tool.js";
import { listIdentities } from "./list-identities.js";
import { getIdentity } from "./get-identity.js";
import { getIdentityOwnershipDetails } from "./get-identity-ownership-details.js";
import { getRoleAssignments } from "./get-role-assignments.js";
import { getRoleAssignment } from "./get-role-assignment.js";

export const TOOLS: readonly AnyTool[] = [
  listIdentities,
  getIdentity,
  getIdentityOwnershipDetails,
  getRoleAssignments,
  getRoleAssignment,
] as unknown as readonly AnyTool[];
