// Confirmation codes: an HMAC over tool, exact arguments, tenant and the previewed target; single use; short-lived.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { GuardStore } from "./store.js";

export interface CodeBinding {
  tool: string;
  tenant: string;
  /** Validated arguments; `confirmationCode` itself is left out. */
  args: Record<string, unknown>;
  /** What the preview showed (name, status...), so a changed target invalidates the code. */
  target: string;
  /** With sign-in: the `sub` of the person who asked, so their confirmation (page or code) answers no one else's call. */
  asker?: string | undefined;
}

/** "untracked": issued by another process or before a restart, where this server's record of spent codes does not reach. */
export type RedeemFailure = "mismatch" | "used" | "untracked" | "expired" | "target-changed";
/** `cause`: the store cannot track any code right now (see `Spend`); a fresh code would be refused too. */
export type Redeemed = { ok: true } | { ok: false; reason: RedeemFailure; cause?: string };

export interface CodeBook {
  issue(binding: CodeBinding): { code: string; expiresAt: number };
  /** Checks a code against this call; a genuine code is spent here, whatever the verdict after that. */
  redeem(code: string, binding: CodeBinding): Promise<Redeemed>;
  /** One keyed hash of a binding: the key pending confirmations are found by. */
  bindingKey(binding: CodeBinding): string;
}

export interface CodeBookOptions {
  /** A function when the key is made on first use (a random per-process key needs node:crypto, which a start does not load). */
  key: string | Buffer | (() => string | Buffer);
  /** The key is ISC_MCP_CONFIRM_KEY, which other processes sign with too (not this process's own random one). */
  sharedKey: boolean;
  ttlMs: number;
  now: () => number;
  store: GuardStore;
}

/** Names this process in its codes, so it knows its own: made on first use, different in every run. */
let processOrigin: string | undefined;
export function thisProcess(): string {
  return (processOrigin ??= randomBytes(6).toString("base64url"));
}

/** JSON with sorted keys and no undefined values, so equal arguments always sign the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function createCodeBook(opts: CodeBookOptions): CodeBook {
  const given = opts.key;
  const key = typeof given === "function" ? given : () => given;
  const mac = (...parts: string[]) => createHmac("sha256", key()).update(parts.join("\0")).digest("base64url");
  // Keyed, so the code carries no readable trace of the target's name or email.
  const targetTag = (target: string) => mac("target", target).slice(0, 12);
  const who = (b: CodeBinding) => (b.asker === undefined ? [] : [b.asker]);
  const sign = (b: CodeBinding, issued: string, origin: string, nonce: string, tag: string) =>
    mac("code", b.tool, b.tenant, canonicalJson(b.args), issued, origin, nonce, tag, ...who(b)).slice(0, 22);

  return {
    // issued.origin.nonce.target-tag.signature: when and where it was issued travel with it, signed.
    issue(binding) {
      const issuedAt = opts.now();
      const issued = issuedAt.toString(36);
      const origin = thisProcess();
      const nonce = randomBytes(9).toString("base64url");
      const tag = targetTag(binding.target);
      return {
        code: `${issued}.${origin}.${nonce}.${tag}.${sign(binding, issued, origin, nonce, tag)}`,
        expiresAt: issuedAt + opts.ttlMs,
      };
    },
    bindingKey: (b) => mac("binding", b.tool, b.tenant, canonicalJson(b.args), b.target, ...who(b)),
    async redeem(code, binding) {
      const parts = code.trim().split(".");
      const [issued, origin, nonce, tag, signature, ...rest] = parts;
      // Four parts: a code of an earlier version of this server, issued before it was restarted.
      if (!issued || !origin || !nonce || !tag || !signature || rest.length > 0)
        return { ok: false, reason: parts.length === 4 ? "untracked" : "mismatch" };
      const byThisProcess = origin === thisProcess();
      const expected = Buffer.from(sign(binding, issued, origin, nonce, tag));
      const given = Buffer.from(signature);
      // A wrong code and a right code for other arguments look the same from here, on purpose. But under a random key
      // per process another process's code (or one from before a restart) never verifies: say that, not "other arguments".
      if (expected.length !== given.length || !timingSafeEqual(expected, given))
        return { ok: false, reason: byThisProcess || opts.sharedKey ? "mismatch" : "untracked" };
      const now = opts.now();
      const issuedAt = parseInt(issued, 36);
      const expiresAt = issuedAt + opts.ttlMs;
      if (!(now <= expiresAt)) return { ok: false, reason: "expired" };
      // One atomic "spend if not spent": two replicas redeeming the same code at once cannot both win.
      const spent = await opts.store.spend(code.trim(), { at: issuedAt, byThisProcess }, expiresAt - now + 1, now);
      if (typeof spent === "object") return { ok: false, reason: "untracked", cause: spent.untracked };
      if (spent !== "spent") return { ok: false, reason: spent };
      if (tag !== targetTag(binding.target)) return { ok: false, reason: "target-changed" };
      return { ok: true };
    },
  };
}
