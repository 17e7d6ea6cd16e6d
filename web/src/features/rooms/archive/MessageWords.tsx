import { ChatText } from '../live/ChatText';

/** A message's author and text, as every archive list shows them (text only, never HTML). */
export function MessageWords({ author, text }: { author: string; text: string }) {
  return (
    <>
      <span className="archive-author">{author}</span>{' '}
      <span className="archive-text">
        <ChatText text={text} />
      </span>
    </>
  );
}
