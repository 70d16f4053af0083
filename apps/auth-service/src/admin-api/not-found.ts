import { AdminApiError } from '@gateway/server';

/** MAS's 404 title for a resource looked up by its ID. */
export const notFound = (what: string, id: string) => new AdminApiError(404, `${what} ID ${id} not found`);
