// Hand-written SDP for signalling tests without a browser: an offer like a browser's publisher
// (Opus + VP8, send-only). Janus parses and answers it; no media ever flows (ICE never completes).

const fingerprint = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(':');
const ice = (tag) => [`a=ice-ufrag:${tag.slice(0, 4).padEnd(4, 'x')}`, `a=ice-pwd:${tag.padEnd(24, 'p').slice(0, 24)}`];

/** A publisher's offer: one Opus audio and one VP8 video section, both sendonly. */
export function publisherOffer(tag = 'kinoTest') {
  const common = ['c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', ...ice(tag), 'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fingerprint}`, 'a=setup:actpass'];
  return [
    'v=0', `o=- ${Date.now()} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0 1', 'a=msid-semantic: WMS kino',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', ...common, 'a=mid:0', 'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=sendonly', 'a=msid:kino a0', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=ssrc:1111 cname:kino', 'a=ssrc:1111 msid:kino a0',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', ...common, 'a=mid:1', 'a=sendonly', 'a=msid:kino v0', 'a=rtcp-mux',
    'a=rtcp-rsize', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli', 'a=rtcp-fb:96 ccm fir',
    'a=ssrc:2222 cname:kino', 'a=ssrc:2222 msid:kino v0',
    '',
  ].join('\r\n');
}
