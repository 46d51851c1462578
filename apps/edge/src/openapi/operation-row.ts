import type { z } from "zod";
import type { namedResponseSchemas } from "../api/response-schemas.ts";

export type Auth = "required" | "optional";
export type ResponseName = keyof typeof namedResponseSchemas;

/** Statuses a route or the services it calls may answer with (see openapi-responses.ts). */
export type RouteStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415;

/** A row of the operation table: one /v1 operation, as the document states it. */
export interface Operation {
  method: "get" | "post";
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  path_params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body's media type, when not application/json. */
  bodyType?: string;
  /** The body may be left out. */
  bodyOptional?: boolean;
  /** Answered by the edge alone: never 503 or 504 from a service. */
  local?: boolean;
  /** Sends a strong ETag and answers a matching If-None-Match with 304. */
  conditional?: boolean;
  ok: {
    status: 200 | 201;
    description: string;
    /** The body by media type: a named response schema, or what a text body holds. */
    content: Record<string, ResponseName | { text: string } | { object: string }>;
    /** Headers the answer always carries, besides Cache-Control and the rate-limit ones. */
    headers?: Array<"ETag" | "Location" | "Link">;
  };
  /**
   * What else the route and the services it calls answer, and when. The answers any
   * request may get (openapi-operation.ts: a bad token, a rate limit, a malformed body,
   * ...) are added to every operation; a description here says more about them.
   */
  errors: Partial<Record<RouteStatus, string>>;
}

/** A JSON body of the named response schema. */
export const json = (schema: ResponseName) => ({ "application/json": schema });
