// The JSON of an ended public room with a ready film, as the archive endpoints send it; tests
// override what they need.
export function endedRoomJson(overrides: Record<string, unknown> = {}) {
  return {
    slug: 'abcdefghjk',
    title: 'Friday film',
    visibility: 'public',
    status: 'ended',
    starts_at: null,
    owner: { id: 'u1', username: 'ann', display_name: 'Ann' },
    url: 'http://kino.test/r/abcdefghjk',
    media: { state: 'ready', playable: true, duration_s: 60, hls_url: '/media/f/master.m3u8' },
    ...overrides,
  };
}
