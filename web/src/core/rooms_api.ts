// Typed client for the rooms part of the REST API (`/api/v1/rooms…`). No React, no DOM.
import { ApiError, createTransport, isRecord, type ApiOptions, type Transport } from './api';
import { parseMedia, type Media } from './media';
import type { ChatMessage } from './room_protocol';

export type RoomStatus = 'scheduled' | 'live' | 'ended';
export type Visibility = 'public' | 'private';
export type ListStatus = 'live' | 'scheduled';

export interface RoomOwner {
  id: string;
  username: string;
  display_name: string;
}

/** A room as the server returns it. Times are RFC 3339 UTC strings. */
export interface Room {
  slug: string;
  title: string;
  description: string;
  visibility: Visibility;
  status: RoomStatus;
  starts_at: string | null;
  duration_minutes: number;
  owner: RoomOwner;
  /** People connected right now. */
  participants: number;
  /** The short link, e.g. `http://host/r/<slug>`. */
  url: string;
  /** The video's preparation, and once playable its stream. */
  media: Media;
  created_at: string;
  live_at: string | null;
  ended_at: string | null;
  /** `owner_ended`, `cancelled` (ended before it started) or `empty`; null unless ended. */
  ended_reason: string | null;
  is_owner: boolean;
  /** Whether this visitor has joined (owner, or a grant from `join`). */
  joined: boolean;
  /** The name this visitor appears under, when known. */
  display_name: string | null;
  /** Private rooms only: what the key is. */
  protected_by?: 'password' | 'access_key';
  /** Only once joined. */
  video_url?: string;
}

export interface CreateRoomInput {
  title: string;
  video_url: string;
  visibility: Visibility;
  /** Private rooms: a password; without it the server generates an access key. */
  password?: string;
  /** RFC 3339 UTC; absent means "start now". */
  starts_at?: string;
  duration_minutes?: number;
  description?: string;
}

export interface CreatedRoom {
  room: Room;
  url: string;
  /** Only for a private room without a password; the server shows it this once. */
  access_key?: string;
}

export interface JoinInput {
  /** The room's password or access key (private rooms). */
  key?: string;
  /** Required for guests; logged-in people default to their display name. */
  display_name?: string;
}

export interface JoinResult {
  room: Room;
  display_name: string;
  guest: boolean;
}

export interface RoomPatch {
  title?: string;
  description?: string;
  starts_at?: string;
  duration_minutes?: number;
}

/** One chat message of an ended room (`GET …/transcript.json`): the chat's message, with its time parsed. */
export interface TranscriptMessage extends ChatMessage {
  sent_at_ms: number;
}

export interface Transcript {
  room: Room;
  messages: TranscriptMessage[];
}

/** One stored playback action, with who made it (null: the server, e.g. waiting for everyone). */
export interface ArchiveAction {
  seq: number;
  action: string;
  by: { id: string; name: string } | null;
  /** RFC 3339 UTC: the instant it took effect. */
  at: string;
  at_ms: number;
  position_s: number;
  playing: boolean;
  rate: number;
  volume: number;
  muted: boolean;
}

/** One stay of a person in the room: from their first connection to their last one leaving. */
export interface ArchiveVisit {
  /** RFC 3339 UTC. */
  joined_at: string;
  joined_at_ms: number;
  /** Null only while they are still in a live room (or their leaving is not known). */
  left_at: string | null;
  left_at_ms: number | null;
}

/** Someone who was granted entry or was in the room, with their visits (oldest first). */
export interface ArchivePerson {
  id: string;
  name: string;
  /** RFC 3339 UTC: when they first came. */
  joined_at: string;
  visits: ArchiveVisit[];
}

/** The record of an ended session besides its chat (`GET …/archive`). */
export interface RoomArchive {
  room: Room;
  /** In the order they first came. */
  people: ArchivePerson[];
  timeline: ArchiveAction[];
}

/** A private room's door (403 `room_private`): what anyone with its link may see. */
export interface RoomDoor {
  title: string;
  host: { display_name: string };
  protected_by: 'password' | 'access_key';
}

/** The door beside a 403 `room_private` error body; null when it is missing or malformed. */
export function parseRoomDoor(body: Record<string, unknown> | undefined): RoomDoor | null {
  const d = body?.door;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return null;
  const door = d as Record<string, unknown>;
  const host = door.host as Record<string, unknown> | null | undefined;
  if (typeof door.title !== 'string' || typeof host?.display_name !== 'string') return null;
  if (door.protected_by !== 'password' && door.protected_by !== 'access_key') return null;
  return { title: door.title, host: { display_name: host.display_name }, protected_by: door.protected_by };
}

export interface RoomsApi {
  /** Public rooms that are live or scheduled. */
  list(status: ListStatus, signal?: AbortSignal): Promise<Room[]>;
  /** 403 `room_private` (its ApiError's `body` has the door: parseRoomDoor) and 404 `room_not_found` reject. */
  get(slug: string, signal?: AbortSignal): Promise<Room>;
  create(input: CreateRoomInput, signal?: AbortSignal): Promise<CreatedRoom>;
  join(slug: string, input: JoinInput, signal?: AbortSignal): Promise<JoinResult>;
  /** Owner only; 409 `room_started` when a time change comes too late. */
  update(slug: string, patch: RoomPatch, signal?: AbortSignal): Promise<Room>;
  /** Owner only: cancels a scheduled room or ends a live one. */
  end(slug: string, signal?: AbortSignal): Promise<Room>;
  /** My rooms: every room the signed-in person created or was let into, newest first (401 when signed out). */
  mine(signal?: AbortSignal): Promise<Room[]>;
  /**
   * Owner only: a private room's new password (when given) or new access key (in the result, shown
   * this once). The old one stops working; whoever is in stays in.
   */
  rotateKey(slug: string, password: string | null, signal?: AbortSignal): Promise<CreatedRoom>;
  /** Owner only: deletes the room, its chat and (when no other room shows it) its film, for good. */
  remove(slug: string, signal?: AbortSignal): Promise<void>;
  /** The video's preparation, with its history. */
  ingest(slug: string, signal?: AbortSignal): Promise<Media>;
  /** Owner only: queue a failed (or never queued) video again; 409 `not_failed` otherwise. */
  retryIngest(slug: string, signal?: AbortSignal): Promise<Media>;
  /** Who came and every playback action (anyone who may see the room). */
  archive(slug: string, signal?: AbortSignal): Promise<RoomArchive>;
  /** The whole chat, in seq order. */
  transcript(slug: string, signal?: AbortSignal): Promise<Transcript>;
}

const STATUSES: readonly string[] = ['scheduled', 'live', 'ended'];

function bad(what: string): ApiError {
  return new ApiError({ status: 200, code: 'bad_response', message: `The server sent an unexpected ${what}` });
}

const str = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Checks the fields the app relies on; throws `bad_response` when the object is not a room. */
export function parseRoom(v: unknown): Room {
  if (!isRecord(v)) throw bad('room');
  const o = v.owner;
  if (
    !str(v.slug) ||
    !str(v.title) ||
    !str(v.url) ||
    !str(v.status) ||
    !STATUSES.includes(v.status) ||
    (v.visibility !== 'public' && v.visibility !== 'private') ||
    !strOrNull(v.starts_at) ||
    !isRecord(o) ||
    !str(o.id) ||
    !str(o.display_name)
  ) {
    throw bad('room');
  }
  const room: Room = {
    slug: v.slug,
    title: v.title,
    description: str(v.description) ? v.description : '',
    visibility: v.visibility,
    status: v.status as RoomStatus,
    starts_at: v.starts_at,
    duration_minutes: typeof v.duration_minutes === 'number' ? v.duration_minutes : 0,
    owner: { id: o.id, username: str(o.username) ? o.username : '', display_name: o.display_name },
    participants: typeof v.participants === 'number' && v.participants >= 0 ? v.participants : 0,
    url: v.url,
    media: parseMedia(v.media),
    created_at: str(v.created_at) ? v.created_at : '',
    live_at: str(v.live_at) ? v.live_at : null,
    ended_at: str(v.ended_at) ? v.ended_at : null,
    ended_reason: str(v.ended_reason) ? v.ended_reason : null,
    is_owner: v.is_owner === true,
    joined: v.joined === true,
    display_name: str(v.display_name) ? v.display_name : null,
  };
  if (v.protected_by === 'password' || v.protected_by === 'access_key') room.protected_by = v.protected_by;
  if (str(v.video_url)) room.video_url = v.video_url;
  return room;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An RFC 3339 instant as Unix ms; throws `bad_response` when it is not one. */
function instant(v: unknown, what: string): number {
  const ms = str(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw bad(what);
  return ms;
}

function person(v: unknown, what: string): { id: string; name: string } {
  if (!isRecord(v) || !str(v.id) || !str(v.name)) throw bad(what);
  return { id: v.id, name: v.name };
}

/** Checks `GET …/transcript.json`; throws `bad_response` on anything malformed. Sorted by seq. */
export function parseTranscript(body: unknown): Transcript {
  if (!isRecord(body) || !Array.isArray(body.messages)) throw bad('transcript');
  const messages = body.messages.map((m): TranscriptMessage => {
    if (!isRecord(m) || !str(m.id) || !num(m.seq) || !str(m.text) || !str(m.sent_at)) throw bad('chat message');
    return {
      id: m.id,
      client_id: str(m.client_id) ? m.client_id : '',
      seq: m.seq,
      author: person(m.author, 'chat message'),
      text: m.text,
      sent_at: m.sent_at,
      sent_at_ms: instant(m.sent_at, 'chat message'),
    };
  });
  return { room: parseRoom(body.room), messages: messages.sort((a, b) => a.seq - b.seq) };
}

/** Checks `GET …/archive`; throws `bad_response` on anything malformed. Timeline sorted by seq. */
export function parseArchive(body: unknown): RoomArchive {
  if (!isRecord(body) || !Array.isArray(body.people) || !Array.isArray(body.timeline)) throw bad('archive');
  const people = body.people.map((p): ArchivePerson => {
    const who = person(p, 'archive');
    const joined = isRecord(p) ? p.joined_at : undefined;
    if (!str(joined)) throw bad('archive');
    // A server from before visits were recorded sends none.
    const raw = isRecord(p) && p.visits !== undefined ? p.visits : [];
    if (!Array.isArray(raw)) throw bad('archive visits');
    const visits = raw.map((v): ArchiveVisit => {
      if (!isRecord(v) || !str(v.joined_at) || !(v.left_at === null || str(v.left_at))) throw bad('archive visit');
      return {
        joined_at: v.joined_at,
        joined_at_ms: instant(v.joined_at, 'archive visit'),
        left_at: v.left_at,
        left_at_ms: v.left_at === null ? null : instant(v.left_at, 'archive visit'),
      };
    });
    return { ...who, joined_at: joined, visits: visits.sort((a, b) => a.joined_at_ms - b.joined_at_ms) };
  });
  const timeline = body.timeline.map((e): ArchiveAction => {
    if (
      !isRecord(e) ||
      !num(e.seq) ||
      !str(e.action) ||
      !num(e.position_s) ||
      e.position_s < 0 ||
      typeof e.playing !== 'boolean' ||
      !num(e.rate) ||
      e.rate <= 0 ||
      !str(e.at)
    ) {
      throw bad('playback action');
    }
    return {
      seq: e.seq,
      action: e.action,
      by: e.by === null || e.by === undefined ? null : person(e.by, 'playback action'),
      at: e.at,
      at_ms: instant(e.at, 'playback action'),
      position_s: e.position_s,
      playing: e.playing,
      rate: e.rate,
      volume: num(e.volume) ? Math.min(1, Math.max(0, e.volume)) : 1,
      muted: e.muted === true,
    };
  });
  return { room: parseRoom(body.room), people, timeline: timeline.sort((a, b) => a.seq - b.seq) };
}

function roomFrom(body: unknown): Room {
  if (!isRecord(body)) throw bad('response');
  return parseRoom(body.room);
}

/** The room's address inside the app. */
export function roomPath(slug: string): string {
  return `/r/${encodeURIComponent(slug)}`;
}

/** The room's calendar file (an .ics download). */
export function calendarUrl(slug: string): string {
  return `/api/v1/rooms/${encodeURIComponent(slug)}/calendar.ics`;
}

/** The room's whole chat as a download: plain text to read, or JSON. */
export function transcriptUrl(slug: string, format: 'txt' | 'json'): string {
  return `/api/v1/rooms/${encodeURIComponent(slug)}/transcript.${format}`;
}

export function createRoomsApi(opts: ApiOptions | { transport: Transport }): RoomsApi {
  const { send, json } = 'transport' in opts ? opts.transport : createTransport(opts);
  const base = (slug: string) => `/api/v1/rooms/${encodeURIComponent(slug)}`;
  return {
    async list(status, signal) {
      const body = await json(await send('GET', `/api/v1/rooms?status=${encodeURIComponent(status)}`, undefined, signal));
      if (!isRecord(body) || !Array.isArray(body.rooms)) throw bad('room list');
      return body.rooms.map(parseRoom);
    },
    async get(slug, signal) {
      return roomFrom(await json(await send('GET', base(slug), undefined, signal)));
    },
    async create(input, signal) {
      const payload: CreateRoomInput = { title: input.title, video_url: input.video_url, visibility: input.visibility };
      if (input.visibility === 'private' && input.password) payload.password = input.password;
      if (input.starts_at) payload.starts_at = input.starts_at;
      if (input.duration_minutes !== undefined) payload.duration_minutes = input.duration_minutes;
      if (input.description) payload.description = input.description;
      const body = await json(await send('POST', '/api/v1/rooms', payload, signal));
      if (!isRecord(body)) throw bad('response');
      const room = parseRoom(body.room);
      const created: CreatedRoom = { room, url: str(body.url) ? body.url : room.url };
      if (str(body.access_key) && body.access_key !== '') created.access_key = body.access_key;
      return created;
    },
    async mine(signal) {
      const body = await json(await send('GET', '/api/v1/me/rooms', undefined, signal));
      if (!isRecord(body) || !Array.isArray(body.rooms)) throw bad('room list');
      return body.rooms.map(parseRoom);
    },
    async rotateKey(slug, password, signal) {
      const body = await json(await send('POST', `${base(slug)}/key`, password ? { password } : {}, signal));
      if (!isRecord(body)) throw bad('response');
      const room = parseRoom(body.room);
      const rotated: CreatedRoom = { room, url: str(body.url) ? body.url : room.url };
      if (str(body.access_key) && body.access_key !== '') rotated.access_key = body.access_key;
      return rotated;
    },
    async join(slug, input, signal) {
      const payload: JoinInput = {};
      if (input.key) payload.key = input.key;
      if (input.display_name) payload.display_name = input.display_name;
      const body = await json(await send('POST', `${base(slug)}/join`, payload, signal));
      if (!isRecord(body)) throw bad('response');
      const room = parseRoom(body.room);
      const grant = isRecord(body.grant) ? body.grant : {};
      return {
        room,
        display_name: str(grant.display_name) ? grant.display_name : (room.display_name ?? ''),
        guest: grant.guest === true,
      };
    },
    async update(slug, patch, signal) {
      const payload: RoomPatch = {};
      if (patch.title !== undefined) payload.title = patch.title;
      if (patch.description !== undefined) payload.description = patch.description;
      if (patch.starts_at !== undefined) payload.starts_at = patch.starts_at;
      if (patch.duration_minutes !== undefined) payload.duration_minutes = patch.duration_minutes;
      return roomFrom(await json(await send('PATCH', base(slug), payload, signal)));
    },
    async end(slug, signal) {
      return roomFrom(await json(await send('POST', `${base(slug)}/end`, undefined, signal)));
    },
    async remove(slug, signal) {
      await send('DELETE', base(slug), undefined, signal);
    },
    async ingest(slug, signal) {
      const body = await json(await send('GET', `${base(slug)}/ingest`, undefined, signal));
      if (!isRecord(body) || !str(body.state)) throw bad('ingest state');
      return parseMedia(body);
    },
    async retryIngest(slug, signal) {
      const body = await json(await send('POST', `${base(slug)}/ingest/retry`, undefined, signal));
      if (!isRecord(body) || !str(body.state)) throw bad('ingest state');
      return parseMedia(body);
    },
    async archive(slug, signal) {
      return parseArchive(await json(await send('GET', `${base(slug)}/archive`, undefined, signal)));
    },
    async transcript(slug, signal) {
      return parseTranscript(await json(await send('GET', `${base(slug)}/transcript.json`, undefined, signal)));
    },
  };
}
