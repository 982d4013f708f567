/** Placeholder, replaced below. */
export interface SlurmOptions { tasks?: number }
