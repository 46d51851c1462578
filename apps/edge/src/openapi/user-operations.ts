import * as requests from "../api/schemas.ts";
import { json, type Operation } from "./operation-row.ts";

/** Users' profiles, and signing up and in. */
export const USER_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/users/{id}",
    summary: "A user's public profile",
    tag: "users",
    auth: "optional",
    path_params: requests.UserIdParams,
    ok: { status: 200, content: json("User"), description: "The user" },
    errors: { 404: "No such user" },
  },
  {
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user",
    tag: "users",
    auth: "required",
    ok: { status: 200, content: json("User"), description: "The signed-in user, with email" },
    errors: { 404: "The token's user no longer exists" },
  },
  {
    method: "post",
    path: "/v1/auth/sign-up",
    summary: "Create an account",
    tag: "auth",
    auth: "optional",
    body: requests.SignUpBody,
    ok: {
      status: 201,
      content: json("Session"),
      description: "The new user, signed in; Location is their profile",
      headers: ["Location"],
    },
    errors: { 409: "An account with this email exists: sign in instead" },
  },
  {
    method: "post",
    path: "/v1/auth/sign-in",
    summary: "Exchange email and password for a bearer token",
    tag: "auth",
    auth: "optional",
    body: requests.SignInBody,
    ok: { status: 200, content: json("Session"), description: "An access token" },
    errors: { 401: "Wrong email or password" },
  },
];
