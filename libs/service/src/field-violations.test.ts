import { Code, type ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import { describe, expect, it } from "vitest";
import { FieldViolations } from "./field-violations.ts";

describe("FieldViolations", () => {
  it("throws nothing when every check passed", () => {
    const v = new FieldViolations();
    expect(v.check(true, "a", "never shown")).toBe(true);
    expect(() => v.throwIfAny()).not.toThrow();
  });

  it("reports every bad field in one INVALID_ARGUMENT with a BadRequest detail", () => {
    const v = new FieldViolations();
    v.check(false, "title", "must be 3 to 120 characters");
    v.add("ends_at", "must be in the future");
    let error: unknown;
    try {
      v.throwIfAny();
    } catch (err) {
      error = err;
    }
    const connectError = error as ConnectError;
    expect(connectError.code).toBe(Code.InvalidArgument);
    expect(connectError.rawMessage).toBe(
      "title: must be 3 to 120 characters; ends_at: must be in the future",
    );
    const [detail] = connectError.findDetails(BadRequestSchema);
    expect(detail?.fieldViolations.map((f) => f.field)).toEqual(["title", "ends_at"]);
  });
});
