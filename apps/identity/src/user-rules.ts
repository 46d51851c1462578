import { FieldViolations } from "@gavel/service";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
export const DISPLAY_NAME_MAX = 60;

/** Lower-cased and trimmed: emails are compared case-insensitively. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Every problem with a sign-up, as field violations. */
export function checkSignUp(input: {
  email: string;
  password: string;
  displayName: string;
}): FieldViolations {
  const v = new FieldViolations();
  const email = normalizeEmail(input.email);
  v.check(
    email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email),
    "email",
    "must be an email address such as ada@example.com",
  );
  const length = [...input.password].length;
  v.check(
    length >= PASSWORD_MIN && length <= PASSWORD_MAX,
    "password",
    `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
  );
  const name = input.displayName.trim();
  v.check(
    name.length >= 1 && [...name].length <= DISPLAY_NAME_MAX && !/\p{Cc}/u.test(name),
    "display_name",
    `must be 1 to ${DISPLAY_NAME_MAX} printable characters`,
  );
  return v;
}
