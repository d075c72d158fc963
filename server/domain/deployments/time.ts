import "server-only";
/** Times in refusal and status messages: minute precision, UTC, readable ("2026-11-27 09:30 UTC"). */
export const formatUtc = (d: Date | string) => new Date(d).toISOString().replace("T", " ").slice(0, 16) + " UTC";
