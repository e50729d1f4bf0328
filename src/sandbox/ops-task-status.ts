// The task status operations: get one TaskStatus by id and list them with the spec's filters, sorters and paging.
import { parseCollectionParams } from "./collection-params.js";
import type { OpContext } from "./context.js";
import { SandboxError, badRequest, json } from "./errors.js";
import { parseFilter, type FieldTable, type FilterNode } from "./filter-parser.js";
import { FilterSyntaxError } from "./filter-tokenizer.js";
import type { TaskRecord } from "./model.js";
import { isExpired, taskStatusBody } from "./tasks.js";

type TaskField = "id" | "sourceId" | "completionStatus" | "type" | "launcher";

/** Per the specs: v2024 has no `isnull` (it lists finished tasks only); only v1 filters on `launcher`. */
function fieldsFor(version: string): FieldTable<TaskField> {
  const s = (ops: string[]) => ({ ops, type: "string" as const });
  const table: Record<string, { ops: readonly string[]; type: "string" }> = {
    id: s(["eq", "in"]),
    sourceId: s(["eq", "in"]),
    completionStatus: s(version === "v2024" ? ["eq", "in"] : ["eq", "in", "isnull"]),
    type: s(["eq", "in"]),
  };
  if (version === "v1") table["launcher"] = s(["eq", "in"]);
  return table as FieldTable<TaskField>;
}

type View = { task: TaskRecord; completionStatus: string | null };

/** `type` matches the TaskStatus type (QUARTZ, QUEUED_TASK...) or the task definition's (IDENTITY_REFRESH...). */
function matches(node: FilterNode<TaskField>, v: View): boolean {
  const values = (field: TaskField): Array<string | null> => {
    switch (field) {
      case "id":
        return [v.task.id];
      case "sourceId":
        return [v.task.sourceId];
      case "completionStatus":
        return [v.completionStatus];
      case "type":
        return [v.task.type, v.task.definitionType];
      case "launcher":
        return [v.task.launcher];
    }
  };
  // completionStatus values are an enum in upper case; the spec's own example writes "Success".
  const norm = (field: TaskField, s: string): string => (field === "completionStatus" ? s.toUpperCase() : s);
  switch (node.kind) {
    case "and":
      return matches(node.left, v) && matches(node.right, v);
    case "or":
      return matches(node.left, v) || matches(node.right, v);
    case "not":
      return !matches(node.operand, v);
    case "isnull":
      return values(node.field).every((x) => x === null);
    case "in":
      return values(node.field).some(
        (x) => x !== null && node.values.some((w) => norm(node.field, w) === norm(node.field, x)),
      );
    case "eq":
    case "sw": {
      const want = norm(node.field, String(node.value));
      return values(node.field).some((x) => x !== null && norm(node.field, x) === want);
    }
  }
}

function visibleTask(ctx: OpContext): TaskRecord {
  const id = ctx.params["id"] ?? "";
  const task = ctx.state.tasks.get(id);
  // The spec documents this 404 without a body.
  if (!task || isExpired(task, ctx.now)) throw new SandboxError(404, "", {}, null);
  return task;
}

export function getTaskStatus(ctx: OpContext): Response {
  return json(200, taskStatusBody(visibleTask(ctx), ctx.now));
}

export function listTaskStatus(ctx: OpContext): Response {
  const params = parseCollectionParams(ctx.query);
  const raw = ctx.query.get("filters");
  let filter: FilterNode<TaskField> | null = null;
  if (raw !== null && raw.trim() !== "") {
    try {
      filter = parseFilter(raw, fieldsFor(ctx.version));
    } catch (error) {
      if (error instanceof FilterSyntaxError) throw badRequest(`Invalid filter: ${error.message}`);
      throw error;
    }
  }
  const sorters = ctx.query.get("sorters")?.trim() ?? "";
  if (sorters !== "" && sorters !== "created" && sorters !== "-created") {
    throw badRequest(
      `Invalid sorter "${sorters}": sorting is supported for the field created (prefix "-" for descending)`,
    );
  }
  const views: View[] = [];
  for (const task of ctx.state.tasks.values()) {
    if (isExpired(task, ctx.now)) continue;
    const completionStatus = ctx.now >= task.completeMs ? task.outcome : null;
    // v2024's list holds completed tasks only.
    if (ctx.version === "v2024" && completionStatus === null) continue;
    const view = { task, completionStatus };
    if (!filter || matches(filter, view)) views.push(view);
  }
  const sign = sorters === "-created" ? -1 : 1;
  views.sort((a, b) => sign * (a.task.createdMs - b.task.createdMs));
  const page = views.slice(params.offset, params.offset + params.limit).map((v) => taskStatusBody(v.task, ctx.now));
  return json(200, page, params.count ? { "x-total-count": String(views.length) } : {});
}
