import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Router, type Response } from "express";
import type { SignInResponse } from "@gavel/proto/identity/v1/identity";
import { requireCaller } from "../http/authentication.ts";
import { cachePolicy } from "../http/http-caching.ts";
import { userJson } from "../api/representations.ts";
import { SignInBody, SignUpBody, UserIdParams } from "../api/schemas.ts";
import { onBehalfOf, type Upstream } from "../api/upstream.ts";
import { parse } from "../http/validation.ts";
import { methodNotAllowed, requireJson } from "./route-guards.ts";

export function userRoutes(upstream: Upstream): Router {
  const router = Router();
  router
    .route("/users/:id")
    .get(async (req, res) => {
      const { id } = parse(UserIdParams, req.params, "path");
      const { user } = await upstream.identity.getUser({ id }, onBehalfOf(req, res));
      res.set("cache-control", cachePolicy.private).vary("Authorization").json(userJson(user!));
    })
    .all(methodNotAllowed("GET"));

  router
    .route("/me")
    .get(async (req, res) => {
      const caller = requireCaller(res);
      const { user } = await upstream.identity.getUser({ id: caller.userId }, onBehalfOf(req, res));
      res.set("cache-control", cachePolicy.private).vary("Authorization").json(userJson(user!));
    })
    .all(methodNotAllowed("GET"));

  router
    .route("/auth/sign-up")
    .post(requireJson, async (req, res) => {
      const body = parse(SignUpBody, req.body, "body");
      const options = onBehalfOf(req, res);
      await upstream.identity.signUp(
        { email: body.email, password: body.password, displayName: body.display_name },
        options,
      );
      // Signed in at once: a new account's first request needs a token anyway.
      const session = await upstream.identity.signIn(
        { email: body.email, password: body.password },
        options,
      );
      res.status(201).location(`/v1/users/${session.user!.id}`);
      sendSession(res, session);
    })
    .all(methodNotAllowed("POST"));

  router
    .route("/auth/sign-in")
    .post(requireJson, async (req, res) => {
      const body = parse(SignInBody, req.body, "body");
      const session = await upstream.identity.signIn(body, onBehalfOf(req, res));
      sendSession(res, session);
    })
    .all(methodNotAllowed("POST"));
  return router;
}

function sendSession(res: Response, session: SignInResponse): void {
  res.set("cache-control", cachePolicy.none).json({
    access_token: session.accessToken,
    token_type: "Bearer",
    expires_at: session.expiresAt ? timestampDate(session.expiresAt).toISOString() : null,
    user: userJson(session.user!),
  });
}
