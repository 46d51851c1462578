import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@gavel/proto/common/v1/errors";
import {
  ImportErrorSchema,
  ImportResultSchema,
  type ImportLotsRequest,
  type ImportLotsResponseSchema,
  type ImportResult,
} from "@gavel/proto/catalog/v1/catalog";
import { createLot, type LotCreationDeps } from "./lot-creation.ts";
import { toConnectError } from "../api/catalog-errors.ts";

export const IMPORT_MAX_ITEMS = 1000;
/** Past this many items the call fails: a client streaming forever is not an import. */
export const IMPORT_READ_LIMIT = 10 * IMPORT_MAX_ITEMS;

/**
 * Creates each streamed item as CreateLot would, answering every item on its own:
 * one bad item does not fail the others. Items past IMPORT_MAX_ITEMS are answered as
 * resource_exhausted without being created.
 */
export async function importLots(
  deps: LotCreationDeps,
  sellerId: string,
  requests: AsyncIterable<ImportLotsRequest>,
): Promise<MessageInitShape<typeof ImportLotsResponseSchema>> {
  const results: ImportResult[] = [];
  let created = 0;
  for await (const item of requests) {
    const index = results.length;
    if (index >= IMPORT_READ_LIMIT) {
      throw new ConnectError(
        `an import takes at most ${IMPORT_MAX_ITEMS} items`,
        Code.ResourceExhausted,
      );
    }
    if (index >= IMPORT_MAX_ITEMS) {
      results.push(
        failure(
          index,
          new ConnectError(
            `only the first ${IMPORT_MAX_ITEMS} items are imported`,
            Code.ResourceExhausted,
          ),
        ),
      );
      continue;
    }
    try {
      const lot = await createLot(deps, sellerId, item.lot, item.requestId);
      results.push(create(ImportResultSchema, { index, outcome: { case: "lot", value: lot } }));
      created++;
    } catch (err) {
      const mapped = toConnectError(err);
      if (!(mapped instanceof ConnectError)) throw err;
      results.push(failure(index, mapped));
    }
  }
  return { results, createdCount: created, failedCount: results.length - created };
}

function failure(index: number, err: ConnectError): ImportResult {
  const violations = err.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
  return create(ImportResultSchema, {
    index,
    outcome: {
      case: "error",
      value: create(ImportErrorSchema, {
        code: codeName(err.code),
        message: err.rawMessage,
        fieldViolations: violations,
      }),
    },
  });
}

/** "InvalidArgument" -> "invalid_argument", the names Connect uses on the wire. */
function codeName(code: Code): string {
  return Code[code].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}
