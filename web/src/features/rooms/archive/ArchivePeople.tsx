import { useI18n } from '../../../app/services';
import type { ArchiveVisit, RoomArchive, TranscriptMessage } from '../../../core/rooms_api';
import { formatShortDateTime, formatTime } from '../../../core/time';

/** One person in the archive's list, with their visits (none known for some). */
export interface PersonThere {
  id: string;
  name: string;
  visits: readonly ArchiveVisit[];
}

/**
 * Everyone who was there: those the server lists (granted entry or in the room, in the order they
 * first came, with their visits), then anyone else who played the film or wrote in the chat (an
 * archive from before visits were recorded). One entry per member id.
 */
export function peopleThere(archive: RoomArchive, messages: readonly TranscriptMessage[]): PersonThere[] {
  const seen = new Map<string, PersonThere>();
  for (const p of archive.people) if (!seen.has(p.id)) seen.set(p.id, { id: p.id, name: p.name, visits: p.visits });
  for (const e of archive.timeline) if (e.by && !seen.has(e.by.id)) seen.set(e.by.id, { ...e.by, visits: [] });
  for (const m of messages) if (!seen.has(m.author.id)) seen.set(m.author.id, { ...m.author, visits: [] });
  return [...seen.values()];
}

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

/** "joined 20:01, left 20:45" in local time; the leave with its date when it was another day. */
function VisitLine({ visit }: { visit: ArchiveVisit }) {
  const { t, locale } = useI18n();
  const joined = formatTime(visit.joined_at, locale);
  if (visit.left_at === null || visit.left_at_ms === null) return <>{t('archive.visitOpen', { joined })}</>;
  const left = sameDay(visit.joined_at_ms, visit.left_at_ms)
    ? formatTime(visit.left_at, locale)
    : formatShortDateTime(visit.left_at, locale);
  return <>{t('archive.visit', { joined, left })}</>;
}

/** Who was there, each with when they joined and left (a list of visits under their name). */
export function ArchivePeople({ archive, messages }: { archive: RoomArchive; messages: readonly TranscriptMessage[] }) {
  const { t } = useI18n();
  const people = peopleThere(archive, messages);
  return (
    <section aria-labelledby="archive-people-title">
      <h3 id="archive-people-title">{t('archive.people')}</h3>
      {people.length === 0 ? (
        <p className="archive-note">{t('archive.noPeople')}</p>
      ) : (
        <ul className="archive-people" data-testid="archive-people">
          {people.map((p) => (
            <li key={p.id}>
              <span className="archive-person">{p.name}</span>
              {p.visits.length > 0 && (
                <ul className="archive-visits" aria-label={t('archive.visitsOf', { name: p.name })}>
                  {p.visits.map((v) => (
                    <li key={v.joined_at_ms} className="archive-visit">
                      <VisitLine visit={v} />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
