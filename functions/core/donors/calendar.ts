/** Dates as `YYYY-MM-DD` and times in a named time zone, with Intl alone (no time-zone library in a bundle). */

const formatters = new Map<string, Intl.DateTimeFormat>();
const partsIn = (instant: Date, timeZone: string) => {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
};

/** Whether `timeZone` is one Intl knows (SITE_TIME_ZONE is checked with it at cold start). */
export const isTimeZone = (timeZone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
};

/** The calendar date of an instant in a time zone. */
export const dateIn = (instant: Date, timeZone: string): string => {
  const p = partsIn(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
};

/** A calendar date `days` after (or before) another. */
export const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** How far a time zone is ahead of UTC at an instant, in milliseconds. */
const offsetAt = (instant: number, timeZone: string) => {
  const p = partsIn(new Date(instant), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
};

/**
 * The instant a wall-clock hour on a date is in a time zone. Twice corrected, so a date on which the offset changes
 * gets the offset in force at that hour; an hour that a change skips comes out an hour later, as clocks show it.
 */
export const zonedTime = (date: string, hour: number, timeZone: string): Date => {
  const wall = Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00.000Z`);
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
};
