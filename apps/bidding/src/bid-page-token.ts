/**
 * Page tokens for bid histories: the sequence to continue below, opaque to clients
 * (base64url) so its format can change. A token that does not decode is refused.
 */
export function encodeBidPageToken(beforeSequence: number): string {
  return Buffer.from(`bids:${beforeSequence}`).toString("base64url");
}

export function decodeBidPageToken(token: string): number | undefined {
  if (token === "") return Number.MAX_SAFE_INTEGER;
  const match = /^bids:(\d{1,15})$/.exec(Buffer.from(token, "base64url").toString());
  return match ? Number(match[1]) : undefined;
}
