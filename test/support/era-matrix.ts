// The hosts every end-to-end confirmation test runs against: each protocol era, with and without elicitation, over each transport that serves it.
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { Client as ModernClient, InMemoryTransport } from "@modelcontextprotocol/client";
import { createLogger } from "../../src/core/log.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { serveStdioBothEras } from "../../src/transports/stdio.js";
import { auditLinesOf, NO_DESKTOP, startEraCli } from "./cli-eras.js";
import { serveTenant } from "./cli-process.js";
import type { AuditLine } from "./guard-helpers.js";
import { startServerSide } from "./harness.js";
import { startHttpHarness } from "./http-harness.js";
import { until } from "./until.js";

export const MODERN = "2026-07-28";

/** What a host's user does with a confirmation form: the message shown, and the answer (accept with content, decline, cancel). */
export type Human = (
  message: string,
) =>
  | { action: string; content?: Record<string, unknown> }
  | Promise<{ action: string; content?: Record<string, unknown> }>;
type Result = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
};

export interface Hosted {
  sandbox: Sandbox;
  /** The protocol version the audit line must name. */
  era: string;
  /** The audit lines so far. */
  audit(): AuditLine[];
  /** The audit lines once there are `n` or more: a spawned CLI writes each to its stderr just after answering. */
  untilAudit(n: number): Promise<AuditLine[]>;
  listTools(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>): Promise<Result>;
  /** The forms the client was asked to show, in order. */
  asked: string[];
  close(): Promise<void>;
}

export interface HostKind {
  /** e.g. "stdio, 2025 client (sdk 1.32) with form elicitation". */
  name: string;
  /** Whether the client declares form elicitation (and answers with `human`). */
  form: boolean;
  start(argv: string[], human: Human): Promise<Hosted>;
}

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as AuditLine);
/** `untilAudit` over a source of audit lines. */
const untilAuditOf = (audit: () => AuditLine[]) => async (n: number) => {
  await until(() => audit().length >= n, `${n} audit line(s)`);
  return audit();
};
const FORM = { elicitation: { form: {} } };

/** stdio as serve.ts runs it (serveStdioBothEras), in memory: the 2025 client is sdk 1.32's, the 2026 one the v2 client pinned to 2026-07-28. */
async function stdio(era: "2025" | "2026", form: boolean, argv: string[], human: Human): Promise<Hosted> {
  const side = await startServerSide({ argv, sandbox: { identities: 40 } });
  const asked: string[] = [];
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const served = serveStdioBothEras(() => side.server, createLogger("silent"), serverSide as never);
  const answer = async (message: string) => (asked.push(message), (await human(message)) as never);
  let client: LegacyClient | ModernClient;
  if (era === "2025") {
    const c = (client = new LegacyClient({ name: "host-2025", version: "1" }, { capabilities: form ? FORM : {} }));
    if (form)
      c.setRequestHandler(ElicitRequestSchema, async (req) => answer((req.params as { message: string }).message));
    await c.connect(clientSide as never);
  } else {
    const c = (client = new ModernClient(
      { name: "host-2026", version: "2" },
      { capabilities: form ? FORM : {}, versionNegotiation: { mode: { pin: MODERN } } },
    ));
    if (form)
      c.setRequestHandler("elicitation/create", async (req) => answer((req.params as { message: string }).message));
    await c.connect(clientSide);
  }
  return {
    sandbox: side.sandbox,
    era: era === "2025" ? "2025-11-25" : MODERN,
    audit: () => parse(side.audit),
    untilAudit: untilAuditOf(() => parse(side.audit)),
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as Result,
    asked,
    close: async () => {
      await client.close();
      await served.close();
      await side.backend.close();
      await side.auditLog.close();
    },
  };
}

/** HTTP: a 2025 client opens a session (sdk 1.32); a 2026 client (v2, pinned) is served per request on the 2026 leg. */
async function http(era: "2025" | "2026", form: boolean, argv: string[], human: Human): Promise<Hosted> {
  const h = await startHttpHarness(argv);
  const asked: string[] = [];
  const answer = async (message: string) => (asked.push(message), (await human(message)) as never);
  let client: {
    listTools(): Promise<{ tools: Array<{ name: string }> }>;
    callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  };
  if (era === "2025") {
    client = (await h.connect(form ? { onElicit: (message) => answer(message) } : {})).client;
  } else {
    const c = await h.connectModern({ capabilities: form ? FORM : {} });
    if (form)
      c.setRequestHandler("elicitation/create", async (req) => answer((req.params as { message: string }).message));
    client = c;
  }
  return {
    sandbox: h.sandbox,
    era: era === "2025" ? "2025-11-25" : MODERN,
    audit: () => parse(h.audit),
    untilAudit: untilAuditOf(() => parse(h.audit)),
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as Result,
    asked,
    close: () => h.close(),
  };
}

/**
 * The built CLI spawned over stdio, as a host starts it (cli-eras.ts), its sandbox served on 127.0.0.1: the process, its
 * argument and environment parsing and its stdio transport that the in-memory leg above leaves out.
 */
async function spawned(era: "2025" | "2026", form: boolean, argv: string[], human: Human): Promise<Hosted> {
  const tenant = await serveTenant({ identities: 40 });
  const asked: string[] = [];
  try {
    const cli = await startEraCli(
      era,
      argv,
      { ...tenant.env, ...NO_DESKTOP },
      {
        capabilities: form ? FORM : {},
        ...(form ? { human: async ({ message }) => (asked.push(message), await human(message)) } : {}),
      },
    );
    const audit = () => auditLinesOf(cli.stderr());
    return {
      sandbox: tenant.sandbox,
      era: era === "2025" ? "2025-11-25" : MODERN,
      audit,
      untilAudit: untilAuditOf(audit),
      listTools: async () => (await cli.client.listTools()).tools.map((t) => t.name),
      call: (name, args) => cli.call(name, args) as Promise<Result>,
      asked,
      close: async () => {
        await cli.close();
        await tenant.served.close();
      },
    };
  } catch (err) {
    await tenant.served.close();
    throw err;
  }
}

type Start = (era: "2025" | "2026", form: boolean, argv: string[], human: Human) => Promise<Hosted>;
const CLIENT = { "2025": "2025 client (sdk 1.32)", "2026": "2026 client (v2 pinned to 2026-07-28)" } as const;

/** One transport's hosts: each era (on the leg `leg(era)` names) with and without form elicitation. */
const hostsOver = (leg: (era: "2025" | "2026") => string, start: Start): HostKind[] =>
  (["2025", "2026"] as const).flatMap((era) =>
    [true, false].map((form) => ({
      name: `${leg(era)}, ${CLIENT[era]} ${form ? "with form elicitation" : "without elicitation"}`,
      form,
      start: (argv: string[], human: Human) => start(era, form, argv, human),
    })),
  );

/** Every host: one entry per (transport, era, elicitation). A new transport or era is one more entry here. */
export const HOSTS: readonly HostKind[] = [
  ...hostsOver(() => "stdio", stdio),
  ...hostsOver((era) => (era === "2025" ? "HTTP session" : "HTTP 2026 leg (per request)"), http),
];

/** The spawned CLI over stdio, each era with and without form elicitation: for the confirmation matrix (each starts a process). */
export const CLI_HOSTS: readonly HostKind[] = hostsOver(() => "spawned CLI over stdio", spawned);
