// The one ordered list of tools the server offers: reads first, then writes, destructive last.
import type { ToolDef } from "../src/mcp/define-tool.js";
import { listIdentities } from "./list-identities.js";
import { getIdentity } from "./get-identity.js";
import { getIdentityOwnershipDetails } from "./get-identity-ownership-details.js";
import { getRoleAssignments } from "./get-role-assignments.js";
import { getRoleAssignment } from "./get-role-assignment.js";
import { getTaskStatus } from "./get-task-status.js";
import { synchronizeAttributesForIdentity } from "./synchronize-attributes-for-identity.js";
import { startIdentityProcessing } from "./start-identity-processing.js";
import { startIdentitiesInvite } from "./start-identities-invite.js";
import { sendIdentityVerificationAccountToken } from "./send-identity-verification-account-token.js";
import { resetIdentity } from "./reset-identity.js";
import { deleteIdentity } from "./delete-identity.js";

export const TOOLS: readonly ToolDef[] = [
  listIdentities,
  getIdentity,
  getIdentityOwnershipDetails,
  getRoleAssignments,
  getRoleAssignment,
  getTaskStatus,
  synchronizeAttributesForIdentity,
  startIdentityProcessing,
  startIdentitiesInvite,
  sendIdentityVerificationAccountToken,
  resetIdentity,
  deleteIdentity,
];
