// What every operation handler receives: the state, the parsed request and the tenant's services.
import type { SandboxState } from "./model.js";
import type { Rng } from "./prng.js";
import type { ResolvedOptions } from "./types.js";

export interface OpContext {
  state: SandboxState;
  options: ResolvedOptions;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** The sandbox clock at the time of the request. */
  now: number;
  /** Runtime ids (task, job, tracking): seeded, so runs repeat. */
  rng: Rng;
  /** Last successful synchronize-attributes per identity. */
  lastSync: Map<string, number>;
  /** The API version of the request: v2024, v2025, v2026 or v1 (the per-resource APIs). */
  version: string;
  /** Set by an injected fault: the task this request starts ends in ERROR with this message. */
  taskError?: string;
}

export type Operation = (ctx: OpContext) => Response | Promise<Response>;
