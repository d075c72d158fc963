// Numbers as text, the same on the server and in every browser. `n.toLocaleString()` follows the
// runtime's locale: a page rendered on the server as "1,500" and hydrated in a German browser as
// "1.500" fails hydration (React #418). The app's text is English, so its numbers are too.
const count = new Intl.NumberFormat("en-US");

/** 1500 → "1,500", whatever the server's or the browser's locale. */
export function formatCount(n: number): string {
  return count.format(n);
}
