// Compact role assignments: role, id and dates, read from either shape ISC returns (reference or full DTO).
import { IscError } from "../core/errors.js";
import { quoted, token } from "../core/quote.js";

export type CompactAssignment = {
  id: string;
  roleId?: string;
  roleName?: string;
  addedDate?: string;
  startDate?: string;
  removeDate?: string;
  source?: string;
};

export function compactAssignment(raw: unknown, where: string): CompactAssignment {
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r !== "object" || typeof r.id !== "string") {
    throw new IscError({
      kind: "bad_response",
      message: `ISC returned something that is not a role assignment from ${where}.`,
    });
  }
  const role = (r.role ?? {}) as Record<string, unknown>;
  const out: CompactAssignment = { id: r.id };
  const put = (key: keyof CompactAssignment, value: unknown) => {
    if (typeof value === "string" && value !== "") out[key] = value;
  };
  put("roleId", role.id);
  put("roleName", role.name);
  put("addedDate", r.addedDate);
  put("startDate", r.startDate);
  put("removeDate", r.removeDate);
  put("source", r.assignmentSource);
  return out;
}

export function assignmentLine(a: CompactAssignment): string {
  const dates = [
    a.addedDate && `added ${token(a.addedDate)}`,
    a.startDate && `starts ${token(a.startDate)}`,
    a.removeDate && `removed ${token(a.removeDate)}`,
  ]
    .filter(Boolean)
    .join(", ");
  const role = a.roleName !== undefined ? quoted(a.roleName) : a.roleId !== undefined ? token(a.roleId) : "role";
  return `${role}${a.roleId ? ` (role id ${token(a.roleId)})` : ""} assignment=${token(a.id)}${dates ? `; ${dates}` : ""}${a.source ? `; source ${token(a.source)}` : ""}`;
}
