import pLimit from 'p-limit';
import type { LoggerService } from '@backstage/backend-plugin-api';

/** Largest page size the client ever asks for (Airflow's default `maximum_page_limit`). */
export const MAX_PAGE_SIZE = 100;
/** Parallel page requests of one listing. */
export const LIST_CONCURRENCY = 4;
/** Safety stop of one listing: 1000 pages (at least 50k items at Airflow 3's smallest default page). */
export const MAX_PAGES = 1000;

/** One page as the caller's fetcher reads it. */
export interface Page<T> {
  items: T[];
  /** `total_entries`, when Airflow sent it. */
  total?: number;
}

/**
 * Every item of a collection paged by `limit`/`offset`.
 *
 * Never trusts that the requested page size was honoured: it learns the
 * page size the server uses and `total_entries` from the first page, fetches
 * the remaining pages with at most `concurrency` in flight (none more after
 * a failure), then walks them
 * by `offset += page.length`, filling any gap (a short page, a missing
 * `total_entries`, a growing total) with sequential requests until
 * `offset >= total_entries` or an empty (or, without a total, short) page.
 */
export async function paginate<T>(
  fetchPage: (offset: number) => Promise<Page<T>>,
  options: { concurrency?: number; logger?: LoggerService; what?: string } = {},
): Promise<T[]> {
  const first = await fetchPage(0);
  const step = first.items.length;
  const pages = new Map<number, T[]>([[0, first.items]]);
  let total = first.total;
  if (step > 0 && total !== undefined && total > step) {
    const offsets: number[] = [];
    for (let o = step; o < total && offsets.length < MAX_PAGES; o += step) {
      offsets.push(o);
    }
    const limit = pLimit(options.concurrency ?? LIST_CONCURRENCY);
    // After a failure, queued pages are not requested: the listing fails anyway.
    let failure: unknown;
    const results = await Promise.all(
      offsets.map(o =>
        limit(async () => {
          if (failure) throw failure;
          try {
            return await fetchPage(o);
          } catch (error) {
            failure ??= error;
            throw error;
          }
        }),
      ),
    );
    offsets.forEach((o, i) => pages.set(o, results[i].items));
  }

  const out: T[] = [];
  let offset = 0;
  for (let n = 0; n < MAX_PAGES; n++) {
    let items = pages.get(offset);
    if (items === undefined) {
      const page = await fetchPage(offset);
      items = page.items;
      total = page.total ?? total;
    }
    out.push(...items);
    offset += items.length;
    if (items.length === 0 || (total !== undefined && offset >= total)) {
      return out;
    }
    if (first.total === undefined && items.length < step) {
      return out;
    }
  }
  options.logger?.warn(
    'Stopped paging an Airflow collection at the safety limit',
    { collection: options.what, pages: MAX_PAGES },
  );
  return out;
}
