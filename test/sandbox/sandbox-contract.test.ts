// Proves the sandbox speaks the official spec: every operation, all four API versions, bodies validated by ajv.
import { existsSync, readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { taskStatusBody } from "../../src/sandbox/tasks.js";
import {
  createSandbox,
  pickFixtures,
  serveSandbox,
  type Fixtures,
  type Sandbox,
  type ServedSandbox,
} from "../../src/sandbox/index.js";

// The spec files ship in the repository (spec/README.md names their source), so every clone runs this test.
const specDir = new URL("../../spec/", import.meta.url);
const VERSIONS = ["v2024", "v2025", "v2026", "v1"] as const;
type Version = (typeof VERSIONS)[number];
type Api = "identities" | "tasks";
/** v2026's Identities paths are byte-identical to v2025's (spec/README.md), so v2025's file describes them. */
const SPEC_FILES: Record<Version, Record<Api, string>> = {
  v2024: { identities: "isc-identities-v2024.json", tasks: "isc-task-status-v2024.json" },
  v2025: { identities: "isc-identities-v2025.json", tasks: "isc-task-status-v2025.json" },
  v2026: { identities: "isc-identities-v2025.json", tasks: "isc-task-status-v2026.json" },
  v1: { identities: "isc-identities-v1.json", tasks: "isc-task-management-v1.json" },
};
const specFile = (v: Version, api: Api): URL => new URL(SPEC_FILES[v][api], specDir);
const specPresent = VERSIONS.every((v) => existsSync(specFile(v, "identities")) && existsSync(specFile(v, "tasks")));
/** Year versions prefix the path (/v2025/identities/x); the per-resource APIs put v1 after the resource (/identities/v1/x). */
const inVersion = (v: Version, path: string): string =>
  v === "v1" ? path.replace(/^\/([^/?]+)/, "/$1/v1") : `/${v}${path}`;
/** The spec's own key for a version-free template: v1 files spell `/identities/v1/{id}`, year files `/identities/{id}`. */
const specTemplate = (v: Version, template: string): string => (v === "v1" ? inVersion(v, template) : template);
const apiOf = (template: string): Api => (template.startsWith("/task-status") ? "tasks" : "identities");
/** The v1 bundles name schemas in lower case; their content matches the year versions'. */
const schemaName = (v: Version, name: string): string => (v === "v1" ? name.toLowerCase() : name);

test("the ISC spec files are present", () => {
  expect(specPresent, `spec files missing in ${specDir.pathname}: the contract test cannot run`).toBe(true);
});

type Json = Record<string, unknown>;
const OPENAPI_ONLY = new Set([
  "example",
  "examples",
  "xml",
  "externalDocs",
  "discriminator",
  "readOnly",
  "writeOnly",
  "deprecated",
  "title",
]);

/**
 * OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null branch, refs point at the spec registered
 * under `specId`, annotations go. With `closed`, objects that declare properties allow no others, so a
 * misspelt or invented property fails.
 */
function toJsonSchema(node: unknown, specId: string, closed: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, specId, closed));
  if (typeof node !== "object" || node === null) return node;
  const src = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith("x-") || key === "nullable") continue;
    if (key === "$ref" && typeof value === "string") out[key] = value.replace(/^#\//, `${specId}#/`);
    else if (key === "properties") {
      out[key] = Object.fromEntries(
        Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v, specId, closed)]),
      );
    } else out[key] = toJsonSchema(value, specId, closed);
  }
  if (closed && out["properties"] && out["additionalProperties"] === undefined) out["additionalProperties"] = false;
  // `allOf: [{$ref}, {nullable: true, description}]` is how this spec makes a referenced object nullable.
  if (Array.isArray(src["allOf"])) {
    const members = src["allOf"] as Json[];
    const nullableMember = members.some(
      (m) => m["nullable"] === true && m["type"] === undefined && m["$ref"] === undefined,
    );
    if (nullableMember) {
      out["allOf"] = members
        .filter((m) => !(m["nullable"] === true && m["type"] === undefined))
        .map((m) => toJsonSchema(m, specId, closed));
      return { anyOf: [{ type: "null" }, out] };
    }
  }
  if (src["nullable"] === true) {
    if (typeof out["type"] === "string") out["type"] = [out["type"], "null"];
    if (Array.isArray(out["enum"]) && !out["enum"].includes(null)) out["enum"] = [...out["enum"], null];
  }
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly specs = new Map<string, Json>();
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor() {
    addFormats(this.ajv);
    this.ajv.addFormat("int32", true);
    for (const v of VERSIONS) {
      for (const api of ["identities", "tasks"] as const) {
        const spec = JSON.parse(readFileSync(specFile(v, api), "utf8")) as Json;
        this.specs.set(`${v}-${api}`, spec);
        this.ajv.addSchema({
          $id: `spec-${v}-${api}`,
          components: toJsonSchema(spec["components"], `spec-${v}-${api}`, true),
        });
      }
    }
  }

  /** The validator for an operation's documented response, or null when the spec documents no body. */
  forResponse(v: Version, method: string, logical: string, status: number): ValidateFunction | null {
    const key = `${v} ${method} ${logical} ${status}`;
    if (this.cache.has(key)) return this.cache.get(key) ?? null;
    const id = `${v}-${apiOf(logical)}`;
    const spec = this.specs.get(id) as Json;
    const template = specTemplate(v, logical);
    const op = ((spec["paths"] as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    if (!op) throw new Error(`spec ${id} has no operation ${method} ${template}`);
    let response = (op["responses"] as Json)[String(status)] as Json | undefined;
    if (!response) throw new Error(`spec ${id} documents no ${status} for ${method} ${template}`);
    const ref = response["$ref"];
    if (typeof ref === "string")
      response = ((spec["components"] as Json)["responses"] as Json)[ref.split("/").pop() as string] as Json;
    const schema = ((response["content"] as Json | undefined)?.["application/json"] as Json | undefined)?.["schema"];
    const validate = schema === undefined ? null : this.ajv.compile(toJsonSchema(schema, `spec-${id}`, true) as Json);
    this.cache.set(key, validate);
    return validate;
  }

  forSchema(v: Version, api: Api, name: string): ValidateFunction {
    return this.ajv.compile({ $ref: `spec-${v}-${api}#/components/schemas/${schemaName(v, name)}` });
  }
}

describe("sandbox responses validate against the ISC spec", () => {
  let validator: SpecValidator;
  beforeAll(() => {
    validator = new SpecValidator();
  });

  for (const v of VERSIONS) {
    describe(v, () => {
      let sandbox: Sandbox;
      let served: ServedSandbox;
      let fx: Fixtures;
      let token = "";
      let clock = Date.now();
      beforeAll(async () => {
        // A clock the tests move, so a task is seen queued, running and finished without waiting.
        sandbox = createSandbox({ identities: 300, seed: 7, rateLimit: false, now: () => clock });
        served = await serveSandbox(sandbox);
        fx = pickFixtures(sandbox.state);
        const res = await fetch(`${served.url}/oauth/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `grant_type=client_credentials&client_id=${sandbox.clientId}&client_secret=${sandbox.clientSecret}`,
        });
        expect(res.status).toBe(200);
        token = ((await res.json()) as { access_token: string }).access_token;
      });
      afterAll(async () => {
        await served.close();
      });

      const call = (
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ): Promise<Response> =>
        fetch(`${served.url}${inVersion(v, path)}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            "x-sailpoint-experimental": "true",
            "content-type": "application/json",
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });

      /** Asserts the status, then validates the body against what the spec documents for it; returns the body. */
      async function expectSpec(res: Response, method: string, template: string, status: number): Promise<unknown> {
        const text = await res.text();
        expect(res.status, text).toBe(status);
        const validate = validator.forResponse(v, method, template, status);
        if (validate === null) {
          expect(text).toBe("");
          return undefined;
        }
        expect(res.headers.get("content-type")).toBe("application/json");
        const body = JSON.parse(text) as unknown;
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
        if (
          [400, 403, 404, 500].includes(status) &&
          !(template === "/identities/{id}" && method === "DELETE" && status === 400)
        ) {
          const dto = body as { detailCode: string; trackingId: string; messages: Array<{ text: string }> };
          expect(dto.detailCode).toMatch(new RegExp(`^${status}`));
          expect(dto.trackingId).toMatch(/^[0-9a-f]{32}$/);
          expect(dto.messages[0]?.text.length).toBeGreaterThan(0);
        }
        return body;
      }

      test("the validator itself rejects off-spec bodies (so these tests can fail)", () => {
        const identity = validator.forResponse(v, "GET", "/identities/{id}", 200) as ValidateFunction;
        const good = sandbox.state.identities.get(fx.plain);
        expect(identity(good)).toBe(true);
        expect(identity({ ...good, name: undefined })).toBe(false);
        expect(identity({ ...good, invented: 1 })).toBe(false);
        expect(identity({ ...good, lifecycleState: { stateName: "active" } })).toBe(false);
        expect(identity({ ...good, lifecycleState: null, processingState: null, managerRef: null })).toBe(true);
        const details = validator.forResponse(v, "GET", "/identities/{identityId}/ownership", 200) as ValidateFunction;
        // The spec's own example shape (object, flat entities) is not the schema's.
        expect(
          details({
            associationDetails: { associationType: "ROLE_OWNER", entities: [{ id: "x", name: "y", type: "ROLE" }] },
          }),
        ).toBe(false);
        expect(
          details({
            associationDetails: [{ associationType: "ROLE_OWNER", entities: [{ id: "x", name: "y", type: "ROLE" }] }],
          }),
        ).toBe(false);
        const task = validator.forResponse(v, "POST", "/identities/invite", 202) as ValidateFunction;
        expect(task({ id: "x", type: "QUEUED_TASK" })).toBe(false);
        const result = validator.forResponse(v, "POST", "/identities/process", 202) as ValidateFunction;
        expect(result({ type: "TASK_RESULT", id: "x", name: null })).toBe(false);
        const status = validator.forResponse(v, "GET", "/task-status/{id}", 200) as ValidateFunction;
        expect(status({ id: "x", type: "QUEUED_TASK", completionStatus: "SUCCESS" })).toBe(false);
        const seeded = taskStatusBody([...sandbox.state.tasks.values()][0]!, clock);
        expect(status(seeded), JSON.stringify(status.errors)).toBe(true);
        expect(status({ ...seeded, invented: 1 })).toBe(false);
        expect(status({ ...seeded, completionStatus: "DONE" })).toBe(false);
      });

      test("listIdentities: every seeded identity, both filters, and a 400", async () => {
        const all: unknown[] = [];
        for (let offset = 0; ; offset += 250) {
          const page = (await expectSpec(
            await call("GET", `/identities?defaultFilter=NONE&offset=${offset}`),
            "GET",
            "/identities",
            200,
          )) as unknown[];
          all.push(...page);
          if (page.length < 250) break;
        }
        expect(all).toHaveLength(300);
        const bad = await call("GET", `/identities?filters=${encodeURIComponent('name co "a"')}`);
        await expectSpec(bad, "GET", "/identities", 400);
      });

      test("getIdentity: 200 and 404", async () => {
        const body = (await expectSpec(
          await call("GET", `/identities/${fx.plain}`),
          "GET",
          "/identities/{id}",
          200,
        )) as { id: string };
        expect(body.id).toBe(fx.plain);
        await expectSpec(
          await call("GET", "/identities/ffffffffffffffffffffffffffffffff"),
          "GET",
          "/identities/{id}",
          404,
        );
      });

      test("getIdentityOwnershipDetails: owner, non-owner, 404", async () => {
        const t = "/identities/{identityId}/ownership";
        const owned = (await expectSpec(await call("GET", `/identities/${fx.owner}/ownership`), "GET", t, 200)) as {
          associationDetails: unknown[];
        };
        expect(owned.associationDetails.length).toBeGreaterThan(0);
        const none = (await expectSpec(await call("GET", `/identities/${fx.plain}/ownership`), "GET", t, 200)) as {
          associationDetails: unknown[];
        };
        expect(none.associationDetails).toEqual([]);
        await expectSpec(await call("GET", "/identities/nope/ownership"), "GET", t, 404);
      });

      test("getRoleAssignments: references unfiltered, full DTOs filtered, 404", async () => {
        const t = "/identities/{identityId}/role-assignments";
        const refs = (await expectSpec(
          await call("GET", `/identities/${fx.withRoles}/role-assignments`),
          "GET",
          t,
          200,
        )) as Array<{ role: { id: string } }>;
        expect(refs.length).toBeGreaterThanOrEqual(2);
        const asRef = validator.forSchema(v, "identities", "RoleAssignmentRef");
        for (const r of refs) expect(asRef(r), JSON.stringify(asRef.errors)).toBe(true);
        const roleId = refs[0]?.role.id ?? "";
        const full = (await expectSpec(
          await call("GET", `/identities/${fx.withRoles}/role-assignments?roleId=${roleId}`),
          "GET",
          t,
          200,
        )) as unknown[];
        expect(full).toHaveLength(1);
        const asDto = validator.forSchema(v, "identities", "RoleAssignmentDto");
        expect(asDto(full[0]), JSON.stringify(asDto.errors)).toBe(true);
        expect(asRef(full[0])).toBe(false);
        await expectSpec(await call("GET", "/identities/nope/role-assignments"), "GET", t, 404);
      });

      test("getRoleAssignment: every assignment of the tenant, and 404", async () => {
        const t = "/identities/{identityId}/role-assignments/{assignmentId}";
        let checked = 0;
        for (const [identityId, list] of sandbox.state.roleAssignments) {
          for (const a of list) {
            const body = (await expectSpec(
              await call("GET", `/identities/${identityId}/role-assignments/${a.id}`),
              "GET",
              t,
              200,
            )) as { id: string };
            expect(body.id).toBe(a.id);
            checked++;
          }
          if (checked > 60) break;
        }
        await expectSpec(await call("GET", `/identities/${fx.withRoles}/role-assignments/nope`), "GET", t, 404);
      });

      test("synchronizeAttributesForIdentity: 202, 429, 400 without header, 404", async () => {
        const t = "/identities/{identityId}/synchronize-attributes";
        const job = (await expectSpec(
          await call("POST", `/identities/${fx.plain}/synchronize-attributes`),
          "POST",
          t,
          202,
        )) as { status: string };
        expect(job.status).toBe("QUEUED");
        const again = await call("POST", `/identities/${fx.plain}/synchronize-attributes`);
        expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
        await expectSpec(again, "POST", t, 429);
        await expectSpec(
          await call("POST", `/identities/${fx.manager}/synchronize-attributes`, undefined, {
            "x-sailpoint-experimental": "false",
          }),
          "POST",
          t,
          400,
        );
        await expectSpec(await call("POST", "/identities/nope/synchronize-attributes"), "POST", t, 404);
      });

      test("startIdentitiesInvite: 202 TaskStatus and 400", async () => {
        const task = (await expectSpec(
          await call("POST", "/identities/invite", { ids: [fx.unregistered] }),
          "POST",
          "/identities/invite",
          202,
        )) as Json;
        expect(task["attributes"]).toEqual({ identityCount: 1 });
        await expectSpec(
          await call("POST", "/identities/invite", { uninvited: true }),
          "POST",
          "/identities/invite",
          202,
        );
        await expectSpec(await call("POST", "/identities/invite", {}), "POST", "/identities/invite", 400);
      });

      test("sendIdentityVerificationAccountToken: 200 empty, 400, 404", async () => {
        const t = "/identities/{id}/verification/account/send";
        await expectSpec(
          await call("POST", `/identities/${fx.plain}/verification/account/send`, { via: "EMAIL_WORK" }),
          "POST",
          t,
          200,
        );
        await expectSpec(
          await call("POST", `/identities/${fx.plain}/verification/account/send`, { via: "SMS" }),
          "POST",
          t,
          400,
        );
        await expectSpec(
          await call("POST", "/identities/nope/verification/account/send", { via: "EMAIL_WORK" }),
          "POST",
          t,
          404,
        );
      });

      test("startIdentityProcessing: 202 TaskResultResponse and 400", async () => {
        const res = (await expectSpec(
          await call("POST", "/identities/process", { identityIds: [fx.plain] }),
          "POST",
          "/identities/process",
          202,
        )) as Json;
        expect(res["type"]).toBe("TASK_RESULT");
        await expectSpec(
          await call("POST", "/identities/process", { identityIds: [] }),
          "POST",
          "/identities/process",
          400,
        );
      });

      test("resetIdentity: 202 empty and 404", async () => {
        await expectSpec(
          await call("POST", `/identities/${fx.unregistered}/reset`),
          "POST",
          "/identities/{id}/reset",
          202,
        );
        await expectSpec(await call("POST", "/identities/nope/reset"), "POST", "/identities/{id}/reset", 404);
      });

      test("deleteIdentity: 400 association details for protected and owner, 204, then 404", async () => {
        const t = "/identities/{id}";
        const prot = (await expectSpec(await call("DELETE", `/identities/${fx.protected}`), "DELETE", t, 400)) as Json;
        expect(prot["associationDetails"]).toEqual([]);
        const owner = (await expectSpec(await call("DELETE", `/identities/${fx.owner}`), "DELETE", t, 400)) as {
          associationDetails: unknown[];
        };
        expect(owner.associationDetails.length).toBeGreaterThan(0);
        await expectSpec(await call("DELETE", `/identities/${fx.processingError}`), "DELETE", t, 204);
        await expectSpec(await call("DELETE", `/identities/${fx.processingError}`), "DELETE", t, 404);
      });

      test("task status: a process task queued, in progress, then SUCCESS; ERROR with messages; 404 without a body", async () => {
        const t = "/task-status/{id}";
        const started = (await expectSpec(
          await call("POST", "/identities/process", { identityIds: [fx.manager] }),
          "POST",
          "/identities/process",
          202,
        )) as { id: string };
        const phases: Array<[number, string | null, boolean]> = [
          [0, null, false],
          [2_000, null, true],
          [10_000, "SUCCESS", true],
        ];
        const t0 = clock;
        for (const [offset, completionStatus, launched] of phases) {
          clock = t0 + offset;
          const task = (await expectSpec(await call("GET", `/task-status/${started.id}`), "GET", t, 200)) as Json;
          expect(task["id"]).toBe(started.id);
          expect(task["completionStatus"]).toBe(completionStatus);
          expect(task["launched"] !== null).toBe(launched);
        }
        expect(sandbox.state.identities.get(fx.manager)?.processingState).toBe("OK");
        sandbox.inject({
          method: "POST",
          path: /\/process$/,
          taskError: "Identity refresh failed: the identity profile is being deleted.",
        });
        const failing = (await expectSpec(
          await call("POST", "/identities/process", { identityIds: [fx.manager] }),
          "POST",
          "/identities/process",
          202,
        )) as { id: string };
        clock += 10_000;
        const failed = (await expectSpec(await call("GET", `/task-status/${failing.id}`), "GET", t, 200)) as {
          completionStatus: string;
          messages: Array<{ localizedText: { message: string } }>;
        };
        expect(failed.completionStatus).toBe("ERROR");
        expect(failed.messages[0]?.localizedText.message).toMatch(/profile is being deleted/);
        await expectSpec(await call("GET", "/task-status/2c9180835d2e5168015d32f890ca1581"), "GET", t, 404);
        const expired = [...sandbox.state.tasks.values()].find((task) => clock - task.createdMs > 90 * 86_400_000);
        expect(expired).toBeDefined();
        await expectSpec(await call("GET", `/task-status/${expired?.id}`), "GET", t, 404);
      });

      test("task list: filters, sorters, paging and 400s as this version's spec says", async () => {
        const t = "/task-status";
        const list = async (query: string, status = 200): Promise<Json[]> =>
          (await expectSpec(await call("GET", `/task-status?${query}`), "GET", t, status)) as Json[];
        const all = await list("count=true&sorters=-created");
        expect(all.length).toBeGreaterThanOrEqual(3);
        const created = all.map((x) => Date.parse(x["created"] as string));
        expect(created).toEqual([...created].sort((a, b) => b - a));
        if (v === "v2024") expect(all.every((x) => x["completionStatus"] !== null)).toBe(true);
        const ok = await list(`filters=${encodeURIComponent('completionStatus eq "Success"')}`);
        expect(ok.length).toBeGreaterThan(0);
        expect(ok.every((x) => x["completionStatus"] === "SUCCESS")).toBe(true);
        const refresh = await list(
          `filters=${encodeURIComponent('type in ("IDENTITY_REFRESH") and completionStatus eq "ERROR"')}`,
        );
        expect(refresh.length).toBeGreaterThan(0);
        expect(refresh.every((x) => x["uniqueName"] === "Identity Refresh" && x["completionStatus"] === "ERROR")).toBe(
          true,
        );
        expect(await list("limit=1&offset=1")).toHaveLength(1);
        // Still running: only where the spec allows isnull (not v2024, whose list holds finished tasks only).
        await call("POST", "/identities/process", { identityIds: [fx.manager] });
        const running = await list(
          `filters=${encodeURIComponent("completionStatus isnull")}`,
          v === "v2024" ? 400 : 200,
        );
        if (v !== "v2024") expect(running.length === 1 && running[0]?.["completionStatus"] === null).toBe(true);
        await list(`filters=${encodeURIComponent('launcher eq "sweep"')}`, v === "v1" ? 200 : 400);
        await list("sorters=name", 400);
        await list(`filters=${encodeURIComponent('uniqueName eq "x"')}`, 400);
      });

      test("401 bodies on every operation", async () => {
        const ops: Array<[string, string, string]> = [
          ["GET", "/identities", "/identities"],
          ["GET", `/identities/${fx.plain}`, "/identities/{id}"],
          ["DELETE", `/identities/${fx.plain}`, "/identities/{id}"],
          ["GET", `/identities/${fx.plain}/ownership`, "/identities/{identityId}/ownership"],
          ["POST", `/identities/${fx.plain}/reset`, "/identities/{id}/reset"],
          ["GET", `/identities/${fx.plain}/role-assignments`, "/identities/{identityId}/role-assignments"],
          [
            "GET",
            `/identities/${fx.plain}/role-assignments/x`,
            "/identities/{identityId}/role-assignments/{assignmentId}",
          ],
          ["POST", `/identities/${fx.plain}/synchronize-attributes`, "/identities/{identityId}/synchronize-attributes"],
          ["POST", "/identities/invite", "/identities/invite"],
          ["POST", `/identities/${fx.plain}/verification/account/send`, "/identities/{id}/verification/account/send"],
          ["POST", "/identities/process", "/identities/process"],
          ["GET", "/task-status", "/task-status"],
          ["GET", "/task-status/x", "/task-status/{id}"],
        ];
        for (const [method, path, template] of ops) {
          const body = (await expectSpec(
            await call(method, path, undefined, { authorization: "Bearer not-a-token" }),
            method,
            template,
            401,
          )) as Json;
          expect(body["error"]).toMatch(/JWT/);
        }
        expect(sandbox.state.identities.has(fx.plain)).toBe(true);
      });

      test("429 body from the per-client rate limit", async () => {
        const limited = createSandbox({ identities: 20, rateLimit: { requests: 1, windowMs: 60_000 } });
        const server = await serveSandbox(limited);
        try {
          const tok = await fetch(
            `${server.url}/oauth/token?grant_type=client_credentials&client_id=${limited.clientId}&client_secret=${limited.clientSecret}`,
            { method: "POST" },
          );
          const h = { authorization: `Bearer ${((await tok.json()) as { access_token: string }).access_token}` };
          expect((await fetch(`${server.url}${inVersion(v, "/identities")}`, { headers: h })).status).toBe(200);
          const res = await fetch(`${server.url}${inVersion(v, "/identities")}`, { headers: h });
          expect(res.headers.get("retry-after")).toBe("60");
          const body = (await expectSpec(res, "GET", "/identities", 429)) as Json;
          expect(body["message"]).toBe("Rate Limit Exceeded");
        } finally {
          await server.close();
        }
      });
    });
  }
});
