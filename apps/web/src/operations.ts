import type { Money } from "./money.ts";
import type { LotStatus } from "./lot-state.ts";

/** The GraphQL documents the page sends, one per view, each shaped for what it shows. */

const MONEY = "currency amountMinor";

export const LOT_LIST = `query LotList($first: Int!) {
  viewer { user { id displayName } }
  lots(filter: { status: OPEN, order: ENDING_SOONEST }, first: $first) {
    totalCount
    edges { node { id title status endsAt bidCount
      startingPrice { ${MONEY} } highestBid { ${MONEY} } } }
  }
}`;

export interface LotListData {
  viewer: { user: UserRef } | null;
  lots: {
    totalCount: number;
    edges: Array<{ node: LotSummary }>;
  };
}

export interface LotSummary {
  id: string;
  title: string;
  status: LotStatus;
  endsAt: string | null;
  bidCount: number;
  startingPrice: Money;
  highestBid: Money | null;
}

export interface UserRef {
  id: string;
  displayName: string;
}

export const LOT_PAGE = `query LotPage($id: ID!) {
  viewer { user { id displayName } }
  lot(id: $id) {
    id title description status endsAt snipeWindowSeconds bidCount reserveMet watcherCount
    seller { id displayName }
    winner { id displayName }
    startingPrice { ${MONEY} } highestBid { ${MONEY} }
    bids(first: 20) { edges { node {
      id placedAt extendedLot amount { ${MONEY} } bidder { id displayName } } } }
  }
}`;

export interface LotPageData {
  viewer: { user: UserRef } | null;
  lot: {
    id: string;
    title: string;
    description: string;
    status: LotStatus;
    endsAt: string | null;
    snipeWindowSeconds: number;
    bidCount: number;
    reserveMet: boolean;
    watcherCount: number;
    seller: UserRef;
    winner: UserRef | null;
    startingPrice: Money;
    highestBid: Money | null;
    bids: {
      edges: Array<{
        node: {
          id: string;
          placedAt: string | null;
          extendedLot: boolean;
          amount: Money;
          bidder: UserRef;
        };
      }>;
    };
  } | null;
}

export const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename
    ... on SignedIn { accessToken expiresAt user { id displayName } }
    ... on Problem { message }
  }
}`;

export interface SignInData {
  signIn:
    | { __typename: "SignedIn"; accessToken: string; expiresAt: string; user: UserRef }
    | { __typename: "InvalidCredentials" | "ValidationFailed"; message: string };
}

export const CREATE_LOT = `mutation CreateLot($input: CreateLotInput!) {
  createLot(input: $input) {
    __typename
    ... on LotCreated { lot { id } }
    ... on ValidationFailed { message fields { field message } }
  }
}`;

export interface CreateLotData {
  createLot:
    | { __typename: "LotCreated"; lot: { id: string } }
    | {
        __typename: "ValidationFailed";
        message: string;
        fields: Array<{ field: string; message: string }>;
      };
}

export const WATCH_LOT = `mutation WatchLot($lotId: ID!) {
  watchLot(lotId: $lotId) { __typename ... on Problem { message } }
}`;

export interface WatchLotData {
  watchLot: { __typename: string; message?: string };
}

export const USER_NAME = `query UserName($id: ID!) { user(id: $id) { id displayName } }`;

export interface UserNameData {
  user: UserRef | null;
}
