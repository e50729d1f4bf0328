// Valid arguments for every tool against a seeded sandbox, and the request-log views the fault and hostile-input tests share.
import type { Sandbox } from "../../src/sandbox/index.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { TOOLS } from "../../tools/index.js";

export type Args = Record<string, unknown>;

/** Requests to the versioned API (not the token endpoint), in any version's shape. */
export const apiRequests = (sandbox: Sandbox) =>
  sandbox.requests.filter((r) => r.path.startsWith("/v20") || /^\/[a-z-]+\/v1(\/|$)/.test(r.path));
export const tokenRequests = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.path === "/oauth/token");

/**
 * One valid call per tool, keyed by name. A tool added to TOOLS without an entry here fails every test
 * that iterates the inventory, so new tools cannot slip past the reliability tests.
 */
export function validCalls(sandbox: Sandbox): Map<string, Args> {
  const fx = pickFixtures(sandbox.state);
  const assignmentId = sandbox.state.roleAssignments.get(fx.withRoles)?.[0]?.id;
  // The newest seeded task: well inside ISC's 90-day retention.
  const taskId = [...sandbox.state.tasks.values()].reduce((a, b) => (b.createdMs > a.createdMs ? b : a)).id;
  const known: Record<string, Args> = {
    list_identities: { limit: 5 },
    get_identity: { identityId: fx.plain },
    get_identity_ownership_details: { identityId: fx.owner },
    get_role_assignments: { identityId: fx.withRoles },
    get_role_assignment: { identityId: fx.withRoles, assignmentId },
    get_task_status: { taskId },
    synchronize_attributes_for_identity: { identityId: fx.plain },
    start_identity_processing: { identityIds: [fx.plain] },
    start_identities_invite: { ids: [fx.unregistered] },
    send_identity_verification_account_token: { identityId: fx.plain, via: "EMAIL_WORK" },
    reset_identity: { identityId: fx.plain },
    delete_identity: { identityId: fx.plain },
  };
  const calls = new Map<string, Args>();
  for (const tool of TOOLS) {
    const args = known[tool.name];
    if (!args) throw new Error(`test/support/tool-calls.ts has no valid arguments for tool "${tool.name}": add them`);
    calls.set(tool.name, args);
  }
  return calls;
}

export const READ_TOOLS = TOOLS.filter((t) => t.kind === "read").map((t) => t.name);
export const WRITE_TOOLS = TOOLS.filter((t) => t.kind !== "read").map((t) => t.name);
