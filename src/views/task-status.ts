// A compact ISC TaskStatus: finished or not, how, how far, its messages and target, read from any API version.
import { IscError } from "../core/errors.js";
import { quoted, token } from "../core/quote.js";

/** A type, not an interface: it must fit the loose output schema's index signature. */
export type TaskView = {
  id: string;
  /** The task's uniqueName, e.g. "Identity Refresh". */
  name?: string;
  /** True once ISC set `completed` or `completionStatus`. */
  finished: boolean;
  /** SUCCESS, WARNING, ERROR, TERMINATED or TEMPERROR once finished; null before. */
  completionStatus: string | null;
  progress?: string;
  percentComplete?: number;
  /** "ERROR: text", at most ten. */
  messages: string[];
  /** "IDENTITY Alice.Walker (id)". */
  target?: string;
  launched: string | null;
  completed: string | null;
};

const MAX_MESSAGES = 10;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export function compactTask(raw: unknown, where: string): TaskView {
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || typeof r.id !== "string") {
    throw new IscError({
      kind: "bad_response",
      message: `ISC returned something that is not a task status from ${where}.`,
    });
  }
  const completionStatus = str(r.completionStatus) ?? null;
  const completed = str(r.completed) ?? null;
  const messages = (Array.isArray(r.messages) ? r.messages : []).slice(0, MAX_MESSAGES).map((m) => {
    const msg = m as { type?: unknown; localizedText?: { message?: unknown } | null; key?: unknown } | null;
    return `${str(msg?.type) ?? "INFO"}: ${str(msg?.localizedText?.message) ?? str(msg?.key) ?? "(no text)"}`;
  });
  const t = r.target as { type?: unknown; id?: unknown; name?: unknown } | null | undefined;
  const target =
    t && typeof t === "object"
      ? [str(t.type), str(t.name), str(t.id) && `(${String(t.id)})`].filter(Boolean).join(" ")
      : "";
  const view: TaskView = {
    id: r.id,
    finished: completed !== null || completionStatus !== null,
    completionStatus,
    messages,
    launched: str(r.launched) ?? null,
    completed,
  };
  const name = str(r.uniqueName);
  if (name) view.name = name;
  const progress = str(r.progress);
  if (progress) view.progress = progress;
  if (typeof r.percentComplete === "number") view.percentComplete = r.percentComplete;
  if (target) view.target = target;
  return view;
}

/** QUEUED, IN_PROGRESS, or how it finished. */
export function taskState(t: TaskView): string {
  return t.finished ? (t.completionStatus ?? "FINISHED") : t.launched ? "IN_PROGRESS" : "QUEUED";
}

/** One line a model can relay, ISC's free text quoted. */
export function taskLine(t: TaskView): string {
  const parts = [
    `Task ${token(t.id)}${t.name ? ` (${quoted(t.name)})` : ""}: ${taskState(t)}`,
    t.percentComplete !== undefined ? `${t.percentComplete}% complete` : "",
    t.progress ? `progress ${quoted(t.progress)}` : "",
    t.target ? `target ${quoted(t.target)}` : "",
    t.launched ? `launched ${token(t.launched)}` : "not launched yet",
    t.completed ? `completed ${token(t.completed)}` : "",
  ].filter(Boolean);
  const messages = t.messages.map((m) => `- ${quoted(m, 300)}`);
  return [parts.join("; ") + ".", ...messages].join("\n");
}
