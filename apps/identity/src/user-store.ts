import { createHash, randomUUID } from "node:crypto";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { IDENTITY_EMAILS_BUCKET, IDENTITY_USERS_BUCKET, openBucket } from "@gavel/nats";

export interface StoredUser {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  createdAt: string;
}

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

/**
 * Users in NATS KV: one bucket by id, one from email to id. The email index is written
 * with create-only semantics, so two sign-ups racing for one email cannot both win.
 */
export class UserStore {
  readonly #users: KV;
  readonly #emails: KV;

  private constructor(users: KV, emails: KV) {
    this.#users = users;
    this.#emails = emails;
  }

  static async open(nc: NatsConnection, replicas: number): Promise<UserStore> {
    const [users, emails] = await Promise.all([
      openBucket(nc, IDENTITY_USERS_BUCKET, { replicas }),
      openBucket(nc, IDENTITY_EMAILS_BUCKET, { replicas }),
    ]);
    return new UserStore(users, emails);
  }

  /** Stores a new user; EmailTakenError when the email already belongs to someone. */
  async create(input: Omit<StoredUser, "id" | "createdAt">): Promise<StoredUser> {
    const user: StoredUser = { id: randomUUID(), createdAt: new Date().toISOString(), ...input };
    // The record first, then the index: a crash in between leaves an unreachable
    // record, never an email that points at nobody.
    await this.#users.put(user.id, JSON.stringify(user));
    try {
      await this.#emails.create(emailKey(user.email), user.id);
    } catch (err) {
      await this.#users.delete(user.id).catch(() => undefined);
      if (await this.#emails.get(emailKey(user.email)))
        throw new EmailTakenError(`${user.email} is taken`);
      throw err;
    }
    return user;
  }

  async byId(id: string): Promise<StoredUser | undefined> {
    const entry = await this.#users.get(id);
    if (!entry || entry.operation !== "PUT") return undefined;
    return entry.json<StoredUser>();
  }

  async byEmail(email: string): Promise<StoredUser | undefined> {
    const entry = await this.#emails.get(emailKey(email));
    if (!entry || entry.operation !== "PUT") return undefined;
    return this.byId(entry.string());
  }
}

/** KV keys allow few characters; a hash of the normalised email fits and hides it. */
function emailKey(email: string): string {
  return createHash("sha256").update(email).digest("hex");
}
