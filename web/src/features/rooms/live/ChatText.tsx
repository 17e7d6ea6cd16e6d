import { splitLinks } from '../../../core/linkify';

/**
 * A message’s text as React text nodes, with http(s) and bare www. links as safe anchors. Never HTML: whatever the
 * text contains (tags, scripts, other URL schemes) is shown as the characters it is.
 */
export function ChatText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} rel="noopener noreferrer nofollow" target="_blank">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}
