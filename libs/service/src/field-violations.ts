import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, FieldViolationSchema } from "@gavel/proto/common/v1/errors";

export interface Violation {
  field: string;
  description: string;
}

/**
 * Collects every problem of a request before answering, so a client learns about all
 * of them at once.
 */
export class FieldViolations {
  readonly list: Violation[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  /** Adds the violation when ok is false; returns ok, to chain dependent checks. */
  check(ok: boolean, field: string, description: string): boolean {
    if (!ok) this.add(field, description);
    return ok;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** INVALID_ARGUMENT with a gavel.common.v1.BadRequest detail, when there is anything. */
  throwIfAny(): void {
    if (!this.empty) throw invalidArgument(this.list);
  }
}

export function invalidArgument(violations: Violation[]): ConnectError {
  const message = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    {
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: violations.map((v) => create(FieldViolationSchema, v)),
      }),
    },
  ]);
}
