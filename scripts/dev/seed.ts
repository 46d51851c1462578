/**
 * Demo users (signed up once, then kept) and, when the seller has no open lot, a few open
 * lots; prints the open lots' titles as a JSON array. npm start runs it as its own process so
 * its clients and generated code do not stay in the launcher for hours.
 *
 *   node scripts/dev/seed.ts <identity url> <catalog url>
 */
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { CatalogService, LotStatus } from "@gavel/proto/catalog/v1/catalog";
import { IdentityService } from "@gavel/proto/identity/v1/identity";
import { connectClient } from "@gavel/testing";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";

const DEMO_LOTS = [
  { title: "Walnut lounge chair, 1956", minor: 120_00n, minutes: 30 },
  { title: "Brass telescope on tripod", minor: 45_00n, minutes: 20 },
  { title: "First-edition field guide to birds", minor: 15_00n, minutes: 12 },
  { title: "Hand-thrown stoneware teapot", minor: 30_00n, minutes: 45 },
];

const [identityUrl, catalogUrl] = process.argv.slice(2);
if (!identityUrl || !catalogUrl) {
  process.stderr.write("usage: node scripts/dev/seed.ts <identity url> <catalog url>\n");
  process.exit(2);
}
const identity = connectClient(IdentityService, identityUrl);
const catalog = connectClient(CatalogService, catalogUrl);
try {
  process.stdout.write(`${JSON.stringify(await seed())}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

async function seed(): Promise<string[]> {
  for (const user of DEMO_USERS) {
    await identity.signUp({ ...user, password: DEMO_PASSWORD }).catch((err: unknown) => {
      if (ConnectError.from(err).code !== Code.AlreadyExists) throw err;
    });
  }
  const seller = await identity.signIn({ email: DEMO_USERS[0]!.email, password: DEMO_PASSWORD });
  const headers = { authorization: `Bearer ${seller.accessToken}` };
  const open = await catalog.listLots({ sellerId: seller.user!.id, status: LotStatus.OPEN });
  if (open.totalSize > 0) return open.lots.map((l) => l.title);
  const titles: string[] = [];
  for (const lot of DEMO_LOTS) {
    const created = await catalog.createLot(
      {
        lot: {
          title: lot.title,
          startingPrice: { currencyCode: "EUR", amountMinor: lot.minor },
          endsAt: timestampFromMs(Date.now() + lot.minutes * 60_000),
          snipeWindowSeconds: 30,
        },
      },
      { headers },
    );
    titles.push(created.lot!.title);
  }
  return titles;
}
