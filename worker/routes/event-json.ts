/** An event's properties as the sender sent them: without the ones the collector adds (names starting with __). */
export function sentProps(props: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!props) return null;
  const sent = Object.entries(props).filter(([key]) => !key.startsWith("__"));
  return sent.length > 0 ? Object.fromEntries(sent) : null;
}
