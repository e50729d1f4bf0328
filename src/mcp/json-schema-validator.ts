// The SDK's jsonSchemaValidator (elicitation answers) done with zod, which the server loads anyway: no ajv at run time.
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidator } from "@modelcontextprotocol/server";
import * as z from "zod";

const compiled = new WeakMap<object, z.ZodType>();

/** Converts each requested schema once (zod's fromJSONSchema) and validates answers against it. */
export const zodJsonSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    let zod = compiled.get(schema);
    if (!zod) {
      zod = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
      compiled.set(schema, zod);
    }
    const check = zod;
    return (input) => {
      const parsed = check.safeParse(input);
      return parsed.success
        ? { valid: true, data: parsed.data as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: z.prettifyError(parsed.error) };
    };
  },
};
