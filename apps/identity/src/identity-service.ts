import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { optionalCaller, type TokenIssuer } from "@gavel/auth";
import { isSafeToken } from "@gavel/nats";
import { FieldViolations } from "@gavel/service";
import type { IdentityService } from "@gavel/proto/identity/v1/identity";
import { UserSchema, type User } from "@gavel/proto/identity/v1/identity";
import { decoyHash, hashPassword, verifyPassword } from "./password-hashing.ts";
import { checkSignUp, normalizeEmail } from "./user-rules.ts";
import { EmailTakenError, type StoredUser, type UserStore } from "./user-store.ts";

const BATCH_MAX = 100;

export function identityService(
  users: UserStore,
  issuer: TokenIssuer,
): ServiceImpl<typeof IdentityService> {
  return {
    async signUp(req) {
      checkSignUp(req).throwIfAny();
      try {
        const user = await users.create({
          email: normalizeEmail(req.email),
          displayName: req.displayName.trim(),
          passwordHash: await hashPassword(req.password),
        });
        return { user: toUser(user, true) };
      } catch (err) {
        if (err instanceof EmailTakenError) {
          throw new ConnectError(
            "an account with this email already exists: sign in instead",
            Code.AlreadyExists,
          );
        }
        throw err;
      }
    },

    async signIn(req) {
      const user = req.email ? await users.byEmail(normalizeEmail(req.email)) : undefined;
      const ok = await verifyPassword(req.password, user?.passwordHash ?? (await decoyHash));
      if (!user || !ok) throw new ConnectError("wrong email or password", Code.Unauthenticated);
      const { token, expiresAt } = await issuer.issue({
        id: user.id,
        displayName: user.displayName,
      });
      return {
        accessToken: token,
        expiresAt: timestampFromDate(expiresAt),
        user: toUser(user, true),
      };
    },

    async getUser(req, ctx) {
      const v = new FieldViolations();
      v.check(isSafeToken(req.id), "id", "must be a user id");
      v.throwIfAny();
      const user = await users.byId(req.id);
      if (!user) throw new ConnectError(`no user with id ${req.id}`, Code.NotFound);
      return { user: toUser(user, optionalCaller(ctx)?.userId === user.id) };
    },

    async batchGetUsers(req, ctx) {
      const ids = [...new Set(req.ids)];
      const v = new FieldViolations();
      v.check(ids.length <= BATCH_MAX, "ids", `at most ${BATCH_MAX} ids per call`);
      v.check(ids.every(isSafeToken), "ids", "every id must be a user id");
      v.throwIfAny();
      const me = optionalCaller(ctx)?.userId;
      const found = await Promise.all(ids.map((id) => users.byId(id)));
      return { users: found.filter((u) => u !== undefined).map((u) => toUser(u, u.id === me)) };
    },
  };
}

function toUser(user: StoredUser, includeEmail: boolean): User {
  return create(UserSchema, {
    id: user.id,
    displayName: user.displayName,
    email: includeEmail ? user.email : "",
    createdAt: timestampFromDate(new Date(user.createdAt)),
  });
}
