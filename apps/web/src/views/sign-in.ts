import type { View } from "../app-context.ts";
import { fill, h } from "../element.ts";
import { SIGN_IN, type SignInData } from "../operations.ts";
import { setSession } from "../session.ts";

/** The users `npm start` seeds (scripts/dev/seed.ts); their password is printed there. */
const DEMO_EMAILS = ["ada@gavel.test", "grace@gavel.test", "linus@gavel.test"];

/** Sign-in over GraphQL (the signIn mutation); the token then opens the socket and stream. */
export function signInPage(next: string): View {
  return (root, context) => {
    const email = h("input", {
      id: "email",
      name: "email",
      type: "email",
      autocomplete: "username",
      required: true,
    });
    const password = h("input", {
      id: "password",
      name: "password",
      type: "password",
      autocomplete: "current-password",
      required: true,
    });
    const status = h("p", { role: "alert", class: "form-error" });
    const submit = h("button", { type: "submit" }, "Sign in");
    const form = h(
      "form",
      { class: "stack", "aria-labelledby": "sign-in-heading" },
      h("label", { for: "email" }, "Email"),
      email,
      h("label", { for: "password" }, "Password"),
      password,
      submit,
      status,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void signIn();
    });
    fill(
      root,
      h("h1", { id: "sign-in-heading", tabindex: -1 }, "Sign in"),
      form,
      h(
        "p",
        { class: "hint" },
        "Demo users: ",
        ...DEMO_EMAILS.flatMap((address, i) => [
          i > 0 ? ", " : "",
          h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => void ((email.value = address), password.focus()),
            },
            address,
          ),
        ]),
        " (ada sells). The password is printed by npm start.",
      ),
    );
    email.focus();
    return () => {};

    async function signIn() {
      submit.disabled = true;
      status.textContent = "";
      try {
        const { data } = await context.graphql.request<SignInData>(SIGN_IN, {
          email: email.value,
          password: password.value,
        });
        const result = data.signIn;
        if (result.__typename !== "SignedIn") {
          status.textContent = result.message;
          return;
        }
        setSession({ token: result.accessToken, expiresAt: result.expiresAt, user: result.user });
        context.toast(`Signed in as ${result.user.displayName}.`);
        context.navigate(next.startsWith("/") ? next : "/");
      } catch (err) {
        status.textContent = err instanceof Error ? err.message : String(err);
      } finally {
        submit.disabled = false;
      }
    }
  };
}
