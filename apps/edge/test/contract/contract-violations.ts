import type { Observed } from "./client-hooks.ts";
import { edgeDocument } from "./edge-documents.ts";
import { checkResponse } from "./response-check.ts";

const pending = new Set<Promise<void>>();
const violations: string[] = [];

/**
 * Checks a response against the document its origin serves, in the background (its body
 * may still be arriving); what is wrong is kept for settle(). Origins that serve no
 * document are not edges, and their responses are not checked.
 */
export function observe(response: Observed): void {
  const checked = check(response).then(
    (wrong) => void violations.push(...wrong),
    (err: unknown) =>
      void violations.push(
        `${response.method} ${response.origin}${response.path} -> ${response.status}: not checked: ${String(err)}`,
      ),
  );
  pending.add(checked);
  void checked.finally(() => pending.delete(checked));
}

/**
 * Resolves once settle() has waited UNREAD_AFTER_MS for the bodies still arriving: a body
 * the test has not read by then, it never will, and its response is checked without it.
 */
const UNREAD_AFTER_MS = 2_000;
let giveUp = () => {};
let unread = nextRound();
function nextRound(): Promise<undefined> {
  return new Promise((resolve) => (giveUp = () => resolve(undefined)));
}

async function check(response: Observed): Promise<string[]> {
  const document = await edgeDocument(response.origin);
  if (!document) return [];
  const body = await Promise.race([response.body, unread]);
  return checkResponse(document, { ...response, body });
}

/**
 * Waits for every check under way and throws, naming each response the document does
 * not promise, if there were any since the last call.
 */
export async function settle(): Promise<void> {
  const timer = setTimeout(giveUp, UNREAD_AFTER_MS);
  while (pending.size) await Promise.all(pending);
  clearTimeout(timer);
  unread = nextRound();
  const found = violations.splice(0);
  if (found.length)
    throw new Error(
      `${found.length} response(s) the edge's OpenAPI document does not promise:\n- ${found.join("\n- ")}`,
    );
}
