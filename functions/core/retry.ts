import { ConflictError } from './errors.js';

/** Re-runs a read-modify-write that lost a race (ConflictError), a few times. */
export const retryOnConflict = async <T>(attempt: () => Promise<T>, attempts = 5): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || i >= attempts) throw error;
    }
  }
};
