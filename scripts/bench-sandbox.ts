// The bench's sandbox phase: how long 10,000 identities take to seed, and what one GET costs the fake tenant's handler.
import { createSandbox, pickFixtures } from "../src/sandbox/index.js";
import { median, round } from "./bench-stats.js";

export interface SandboxBench {
  identities: number;
  /** Best of two seeds, ms. */
  seedMs: number;
  /** Median of `gets` GET /identities/{id} straight through the handler (no socket), ms. */
  getMedianMs: number;
  gets: number;
}

export async function benchSandbox(quick: boolean): Promise<SandboxBench> {
  const identities = 10_000;
  const seeds = [1, 2].map((seed) => {
    const started = performance.now();
    const built = createSandbox({ identities, seed, rateLimit: false });
    // Seeding is lazy: the first read of the state makes the data, so it is inside the timing.
    if (built.state.identities.size !== identities) throw new Error("bench: the sandbox did not seed");
    return { built, ms: performance.now() - started };
  });
  const seedMs = Math.min(...seeds.map((s) => s.ms));
  const sandbox = seeds[1]!.built;
  const token = await tokenOf(sandbox);
  const id = pickFixtures(sandbox.state).plain;
  const get = async () => {
    const res = await sandbox.handler(
      new Request(`http://sandbox.bench/v2025/identities/${id}`, {
        headers: { authorization: `Bearer ${token}`, "x-sailpoint-experimental": "true" },
      }),
    );
    if (res.status !== 200) throw new Error(`bench: sandbox GET answered ${res.status}`);
    await res.text();
  };
  const gets = quick ? 100 : 1_000;
  for (let i = 0; i < 50; i++) await get();
  const times: number[] = [];
  for (let i = 0; i < gets; i++) {
    const started = performance.now();
    await get();
    times.push(performance.now() - started);
  }
  return { identities, seedMs: round(seedMs, 0), getMedianMs: round(median(times), 3), gets };
}

async function tokenOf(sandbox: ReturnType<typeof createSandbox>): Promise<string> {
  const res = await sandbox.handler(
    new Request("http://sandbox.bench/oauth/token", {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      }),
    }),
  );
  return ((await res.json()) as { access_token: string }).access_token;
}
