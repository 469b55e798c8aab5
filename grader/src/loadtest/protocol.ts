// The load test's plan (host → guest) and result (guest → host, one JSON line).

import { consoleChannel } from '../console-channel.js';

export interface LoadPlan {
  module: { name: string; path: string };
  /** Generic netlink family and its notification group. */
  family: string;
  group: string;
  clients: number;
  /** Operations per client. */
  ops: number;
  /** Keys per client: each client works on keys of its own, so it can check every answer. */
  keys: number;
  seed: number;
  /** A request without an answer after this long counts as lost. */
  timeoutMs: number;
}

export interface ClientStats {
  ops: number;
  /** Requests that got their answer (a reply and ACK, or an error ACK). */
  answered: number;
  /** Requests with no answer before the timeout. */
  lost: number;
  /** ENOBUFS on the client's socket (handled: the request is sent again). */
  enobufs: number;
  /** Answers that disagree with what the client itself stored. */
  wrong: string[];
  /** Successful SETs and DELs: each must cause one notification. */
  mutations: number;
  /** Operations completed in each second since the common start. */
  perSecond: number[];
  ms: number;
}

export interface LoadResult {
  kernel: string;
  cpus: number;
  clients: ClientStats[];
  /** A subscriber to the group, counting notifications; ENOBUFS means some were dropped. */
  watcher: { events: number; enobufs: number };
  /** Wall time from the start signal to the last client's end. */
  ms: number;
  health: { kind: string; excerpt: string }[];
  /** Problems after the run: rmmod failed, the family still registered. */
  gate: string[];
}

export const loadResults = consoleChannel<LoadResult>('@@load ');
