/** The demo users npm start signs up (seed.ts), whom its banner names. */
export const DEMO_PASSWORD = "gavel-demo-password";
export const DEMO_USERS = [
  { email: "ada@gavel.test", displayName: "Ada (seller)" },
  { email: "grace@gavel.test", displayName: "Grace" },
  { email: "linus@gavel.test", displayName: "Linus" },
];
